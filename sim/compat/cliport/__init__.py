"""`cliport` compatibility package: thin re-exports of `sim` for task code written for the original
CLIPort/GenSim API (spec §1.1). Import-light: no torch."""

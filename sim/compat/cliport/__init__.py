"""`cliport` compatibility package: thin re-exports of `sim` for task code written for the original
CLIPort/GenSim API (docs/task-api.md#module-paths). Import-light: no torch."""

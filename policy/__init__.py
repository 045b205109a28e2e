"""Robot learning on GenSim tasks: record oracle demonstrations in the sandbox, store them as a
Hugging Face dataset, train a language-conditioned Transporter policy, evaluate it in the sandbox.
See policy/README.md. Uses `sim` (through the sandbox for task code), never the app."""

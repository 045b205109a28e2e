"""GenSim Studio's Gradio app: layout (layout.py), handlers (handlers.py, library.py), panels (render.py)."""

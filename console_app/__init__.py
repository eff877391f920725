"""Console auth tokens and the websocket proxy to instances' VNC/SPICE/serial consoles."""

"""The dashboards' panels, one module each; ``dashboards/*.ipynb`` call them."""

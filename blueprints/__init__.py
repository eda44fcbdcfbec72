"""Feature blueprints: one package per feature, with its routes, forms and models side by side."""

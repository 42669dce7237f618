"""The catalog: products, variants, categories, images, search and the product CSV."""

"""Product lines, products, price lists and tier discounts (DESIGN §3.2)."""

"""Price computation, price exceptions and their approval (DESIGN §3.2)."""

"""Orders (订单登记, DESIGN.md §3.5): dealers register the orders they place for end customers.

Unit prices are computed by `portal.pricing.services.price_for`, never typed; the channel manager
of the dealer's region confirms or rejects; only confirmed orders count for rebates.
"""

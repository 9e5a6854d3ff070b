"""From the projected population to the plan: service demand, staff (WISN, norms, structure rules, recruitment),
floor area and money against the construction plan."""

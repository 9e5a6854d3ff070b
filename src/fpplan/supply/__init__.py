"""Contraceptive supply: couple-years of protection, method mix, the supply a projected population needs
(:mod:`fpplan.supply.cyp`)."""

from fpplan.supply.cyp import cyp, distributed, method_mix, prevalence, supply_need

__all__ = ["cyp", "distributed", "method_mix", "prevalence", "supply_need"]

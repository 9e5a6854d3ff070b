"""Pure building blocks beneath the data layer and the engines: no files, no configuration, no county.

The data layer's preparation needs them (a census split by the standard life table, a census brought forward with
the standard age patterns, a road file checked as a network in km) and the engines build on them (the projection's
life tables and model schedules, the spatial engine's distances and travel times):

- ``lifetable``: single-year and abridged life tables;
- ``schedules``: model age schedules (Rogers–Castro migration, China's standard ASFR and mortality, Brass logit);
- ``local_projection``: lon/lat to km on a local transverse Mercator;
- ``road_network``: roads as a graph in km, travel minutes over it.
"""

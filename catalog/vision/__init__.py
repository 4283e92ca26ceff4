"""The vision registry (issue 17): the prefecture's inventory of data-linkage bases, kept as
broker entities in the shared tenant, with the guidebook's classification on top."""

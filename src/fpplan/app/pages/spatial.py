"""placeholder"""


def build(county, manifest):
    return None

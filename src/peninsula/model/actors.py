"""The six actors and the fixed geography between them.

Index order is part of every layout (actors x ...; actors x actors for beliefs and threats):
USA=0, ROK=1, JPN=2, PRK=3, CHN=4, RUS=5.
"""

from __future__ import annotations

import numpy as np

from peninsula.scenario.schema import ACTORS

USA, ROK, JPN, PRK, CHN, RUS = range(6)
N_ACTORS = len(ACTORS)
ALLIES: tuple[int, ...] = (USA, ROK, JPN)
BLOC: tuple[int, ...] = (CHN, RUS)
INDEX = {name: i for i, name in enumerate(ACTORS)}

# Power-projection reach of j as felt by i, exp(-D_ij / lambda) with D the distance
# between the actors' military centres of gravity in the theatre and lambda = 2,500 km.
# US distances are taken from its forward bases in Korea and Japan (forward presence),
# Russia's from its Eastern Military District (Vladivostok/Khabarovsk).
# Basis: judgement on great-circle distances; Walt (1985) names proximity, not a formula.
_DISTANCE_KM = np.array(
    [
        #  USA   ROK   JPN   PRK   CHN   RUS
        [0.0, 300.0, 300.0, 300.0, 1000.0, 1000.0],  # USA (as seen from its bases)
        [300.0, 0.0, 1000.0, 200.0, 950.0, 800.0],  # ROK (Seoul)
        [300.0, 1000.0, 0.0, 1300.0, 2100.0, 1000.0],  # JPN (Tokyo)
        [300.0, 200.0, 1300.0, 0.0, 800.0, 700.0],  # PRK (Pyongyang)
        [1000.0, 950.0, 2100.0, 800.0, 0.0, 1200.0],  # CHN (Beijing/Northern theatre)
        [1000.0, 800.0, 1000.0, 700.0, 1200.0, 0.0],  # RUS (Eastern MD)
    ]
)
PROJECTION_SCALE_KM = 2500.0
PROXIMITY = np.exp(-_DISTANCE_KM / PROJECTION_SCALE_KM)
np.fill_diagonal(PROXIMITY, 0.0)

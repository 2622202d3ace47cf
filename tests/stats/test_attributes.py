"""Laney over-dispersion ratio and the p / p' chart choice (qmsdata.stats.attributes)."""

import numpy as np

from qmsdata.stats.attributes import choose_attribute_chart, dispersion_ratio


def test_dispersion_ratio_near_one_for_binomial_data():
    rng = np.random.default_rng(1)
    n = np.full(200, 5000)
    k = rng.binomial(n, 0.01)
    assert 0.8 < dispersion_ratio(k, n, "p") < 1.2
    assert choose_attribute_chart(k, n, "p")[0] == "p"


def test_overdispersed_counts_choose_laney():
    rng = np.random.default_rng(2)
    n = np.full(36, 2_000_000)
    k = rng.binomial(n, rng.uniform(0.008, 0.012, 36))  # rate itself varies month to month
    chart, ratio = choose_attribute_chart(k, n, "p")
    assert chart == "p_prime" and ratio > 5

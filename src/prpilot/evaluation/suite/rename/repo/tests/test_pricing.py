import unittest

from shop.cart import Cart
from shop.pricing import calc_total


class PricingTest(unittest.TestCase):
    def test_calc_total(self) -> None:
        self.assertEqual(calc_total([("tea", 2.5, 2), ("cake", 3.0, 1)]), 8.0)

    def test_cart_total(self) -> None:
        cart = Cart()
        cart.add("tea", 1.25, 4)
        self.assertEqual(cart.total(), 5.0)

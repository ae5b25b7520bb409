import unittest

from shop.orders import place
from shop.returns import give_back


class ShopTest(unittest.TestCase):
    def test_place(self) -> None:
        self.assertEqual(place("tea", 2)["quantity"], 2)

    def test_give_back(self) -> None:
        self.assertEqual(give_back("tea", 1)["kind"], "return")

    def test_bad_quantities(self) -> None:
        for bad in (0, 100, 1.5):
            with self.assertRaises(ValueError):
                place("tea", bad)
            with self.assertRaises(ValueError):
                give_back("tea", bad)

"""Tax and shipping rules of the old billing system: one function per region and product line."""


def tax_rate_at_books(amount: float) -> float:
    """VAT on books sold in AT."""
    return round(amount * 0.05, 2)


def tax_rate_at_food(amount: float) -> float:
    """VAT on food sold in AT."""
    return round(amount * 0.08, 2)


def tax_rate_at_clothes(amount: float) -> float:
    """VAT on clothes sold in AT."""
    return round(amount * 0.11, 2)


def tax_rate_at_toys(amount: float) -> float:
    """VAT on toys sold in AT."""
    return round(amount * 0.14, 2)


def tax_rate_at_tools(amount: float) -> float:
    """VAT on tools sold in AT."""
    return round(amount * 0.17, 2)


def tax_rate_at_music(amount: float) -> float:
    """VAT on music sold in AT."""
    return round(amount * 0.20, 2)


def tax_rate_at_games(amount: float) -> float:
    """VAT on games sold in AT."""
    return round(amount * 0.23, 2)


def tax_rate_at_garden(amount: float) -> float:
    """VAT on garden sold in AT."""
    return round(amount * 0.06, 2)


def tax_rate_at_sports(amount: float) -> float:
    """VAT on sports sold in AT."""
    return round(amount * 0.09, 2)


def tax_rate_at_office(amount: float) -> float:
    """VAT on office sold in AT."""
    return round(amount * 0.12, 2)


def tax_rate_be_books(amount: float) -> float:
    """VAT on books sold in BE."""
    return round(amount * 0.12, 2)


def tax_rate_be_food(amount: float) -> float:
    """VAT on food sold in BE."""
    return round(amount * 0.15, 2)


def tax_rate_be_clothes(amount: float) -> float:
    """VAT on clothes sold in BE."""
    return round(amount * 0.18, 2)


def tax_rate_be_toys(amount: float) -> float:
    """VAT on toys sold in BE."""
    return round(amount * 0.21, 2)


def tax_rate_be_tools(amount: float) -> float:
    """VAT on tools sold in BE."""
    return round(amount * 0.24, 2)


def tax_rate_be_music(amount: float) -> float:
    """VAT on music sold in BE."""
    return round(amount * 0.07, 2)


def tax_rate_be_games(amount: float) -> float:
    """VAT on games sold in BE."""
    return round(amount * 0.10, 2)


def tax_rate_be_garden(amount: float) -> float:
    """VAT on garden sold in BE."""
    return round(amount * 0.13, 2)


def tax_rate_be_sports(amount: float) -> float:
    """VAT on sports sold in BE."""
    return round(amount * 0.16, 2)


def tax_rate_be_office(amount: float) -> float:
    """VAT on office sold in BE."""
    return round(amount * 0.19, 2)


def tax_rate_bg_books(amount: float) -> float:
    """VAT on books sold in BG."""
    return round(amount * 0.19, 2)


def tax_rate_bg_food(amount: float) -> float:
    """VAT on food sold in BG."""
    return round(amount * 0.22, 2)


def tax_rate_bg_clothes(amount: float) -> float:
    """VAT on clothes sold in BG."""
    return round(amount * 0.05, 2)


def tax_rate_bg_toys(amount: float) -> float:
    """VAT on toys sold in BG."""
    return round(amount * 0.08, 2)


def tax_rate_bg_tools(amount: float) -> float:
    """VAT on tools sold in BG."""
    return round(amount * 0.11, 2)


def tax_rate_bg_music(amount: float) -> float:
    """VAT on music sold in BG."""
    return round(amount * 0.14, 2)


def tax_rate_bg_games(amount: float) -> float:
    """VAT on games sold in BG."""
    return round(amount * 0.17, 2)


def tax_rate_bg_garden(amount: float) -> float:
    """VAT on garden sold in BG."""
    return round(amount * 0.20, 2)


def tax_rate_bg_sports(amount: float) -> float:
    """VAT on sports sold in BG."""
    return round(amount * 0.23, 2)


def tax_rate_bg_office(amount: float) -> float:
    """VAT on office sold in BG."""
    return round(amount * 0.06, 2)


def tax_rate_cy_books(amount: float) -> float:
    """VAT on books sold in CY."""
    return round(amount * 0.06, 2)


def tax_rate_cy_food(amount: float) -> float:
    """VAT on food sold in CY."""
    return round(amount * 0.09, 2)


def tax_rate_cy_clothes(amount: float) -> float:
    """VAT on clothes sold in CY."""
    return round(amount * 0.12, 2)


def tax_rate_cy_toys(amount: float) -> float:
    """VAT on toys sold in CY."""
    return round(amount * 0.15, 2)


def tax_rate_cy_tools(amount: float) -> float:
    """VAT on tools sold in CY."""
    return round(amount * 0.18, 2)


def tax_rate_cy_music(amount: float) -> float:
    """VAT on music sold in CY."""
    return round(amount * 0.21, 2)


def tax_rate_cy_games(amount: float) -> float:
    """VAT on games sold in CY."""
    return round(amount * 0.24, 2)


def tax_rate_cy_garden(amount: float) -> float:
    """VAT on garden sold in CY."""
    return round(amount * 0.07, 2)


def tax_rate_cy_sports(amount: float) -> float:
    """VAT on sports sold in CY."""
    return round(amount * 0.10, 2)


def tax_rate_cy_office(amount: float) -> float:
    """VAT on office sold in CY."""
    return round(amount * 0.13, 2)


def tax_rate_cz_books(amount: float) -> float:
    """VAT on books sold in CZ."""
    return round(amount * 0.13, 2)


def tax_rate_cz_food(amount: float) -> float:
    """VAT on food sold in CZ."""
    return round(amount * 0.16, 2)


def tax_rate_cz_clothes(amount: float) -> float:
    """VAT on clothes sold in CZ."""
    return round(amount * 0.19, 2)


def tax_rate_cz_toys(amount: float) -> float:
    """VAT on toys sold in CZ."""
    return round(amount * 0.22, 2)


def tax_rate_cz_tools(amount: float) -> float:
    """VAT on tools sold in CZ."""
    return round(amount * 0.05, 2)


def tax_rate_cz_music(amount: float) -> float:
    """VAT on music sold in CZ."""
    return round(amount * 0.08, 2)


def tax_rate_cz_games(amount: float) -> float:
    """VAT on games sold in CZ."""
    return round(amount * 0.11, 2)


def tax_rate_cz_garden(amount: float) -> float:
    """VAT on garden sold in CZ."""
    return round(amount * 0.14, 2)


def tax_rate_cz_sports(amount: float) -> float:
    """VAT on sports sold in CZ."""
    return round(amount * 0.17, 2)


def tax_rate_cz_office(amount: float) -> float:
    """VAT on office sold in CZ."""
    return round(amount * 0.20, 2)


def tax_rate_de_books(amount: float) -> float:
    """VAT on books sold in DE."""
    return round(amount * 0.20, 2)


def tax_rate_de_food(amount: float) -> float:
    """VAT on food sold in DE."""
    return round(amount * 0.23, 2)


def tax_rate_de_clothes(amount: float) -> float:
    """VAT on clothes sold in DE."""
    return round(amount * 0.06, 2)


def tax_rate_de_toys(amount: float) -> float:
    """VAT on toys sold in DE."""
    return round(amount * 0.09, 2)


def tax_rate_de_tools(amount: float) -> float:
    """VAT on tools sold in DE."""
    return round(amount * 0.12, 2)


def tax_rate_de_music(amount: float) -> float:
    """VAT on music sold in DE."""
    return round(amount * 0.15, 2)


def tax_rate_de_games(amount: float) -> float:
    """VAT on games sold in DE."""
    return round(amount * 0.18, 2)


def tax_rate_de_garden(amount: float) -> float:
    """VAT on garden sold in DE."""
    return round(amount * 0.21, 2)


def tax_rate_de_sports(amount: float) -> float:
    """VAT on sports sold in DE."""
    return round(amount * 0.24, 2)


def tax_rate_de_office(amount: float) -> float:
    """VAT on office sold in DE."""
    return round(amount * 0.07, 2)


def tax_rate_dk_books(amount: float) -> float:
    """VAT on books sold in DK."""
    return round(amount * 0.07, 2)


def tax_rate_dk_food(amount: float) -> float:
    """VAT on food sold in DK."""
    return round(amount * 0.10, 2)


def tax_rate_dk_clothes(amount: float) -> float:
    """VAT on clothes sold in DK."""
    return round(amount * 0.13, 2)


def tax_rate_dk_toys(amount: float) -> float:
    """VAT on toys sold in DK."""
    return round(amount * 0.16, 2)


def tax_rate_dk_tools(amount: float) -> float:
    """VAT on tools sold in DK."""
    return round(amount * 0.19, 2)


def tax_rate_dk_music(amount: float) -> float:
    """VAT on music sold in DK."""
    return round(amount * 0.22, 2)


def tax_rate_dk_games(amount: float) -> float:
    """VAT on games sold in DK."""
    return round(amount * 0.05, 2)


def tax_rate_dk_garden(amount: float) -> float:
    """VAT on garden sold in DK."""
    return round(amount * 0.08, 2)


def tax_rate_dk_sports(amount: float) -> float:
    """VAT on sports sold in DK."""
    return round(amount * 0.11, 2)


def tax_rate_dk_office(amount: float) -> float:
    """VAT on office sold in DK."""
    return round(amount * 0.14, 2)


def tax_rate_ee_books(amount: float) -> float:
    """VAT on books sold in EE."""
    return round(amount * 0.14, 2)


def tax_rate_ee_food(amount: float) -> float:
    """VAT on food sold in EE."""
    return round(amount * 0.17, 2)


def tax_rate_ee_clothes(amount: float) -> float:
    """VAT on clothes sold in EE."""
    return round(amount * 0.20, 2)


def tax_rate_ee_toys(amount: float) -> float:
    """VAT on toys sold in EE."""
    return round(amount * 0.23, 2)


def tax_rate_ee_tools(amount: float) -> float:
    """VAT on tools sold in EE."""
    return round(amount * 0.06, 2)


def tax_rate_ee_music(amount: float) -> float:
    """VAT on music sold in EE."""
    return round(amount * 0.09, 2)


def tax_rate_ee_games(amount: float) -> float:
    """VAT on games sold in EE."""
    return round(amount * 0.12, 2)


def tax_rate_ee_garden(amount: float) -> float:
    """VAT on garden sold in EE."""
    return round(amount * 0.15, 2)


def tax_rate_ee_sports(amount: float) -> float:
    """VAT on sports sold in EE."""
    return round(amount * 0.18, 2)


def tax_rate_ee_office(amount: float) -> float:
    """VAT on office sold in EE."""
    return round(amount * 0.21, 2)


def tax_rate_es_books(amount: float) -> float:
    """VAT on books sold in ES."""
    return round(amount * 0.21, 2)


def tax_rate_es_food(amount: float) -> float:
    """VAT on food sold in ES."""
    return round(amount * 0.24, 2)


def tax_rate_es_clothes(amount: float) -> float:
    """VAT on clothes sold in ES."""
    return round(amount * 0.07, 2)


def tax_rate_es_toys(amount: float) -> float:
    """VAT on toys sold in ES."""
    return round(amount * 0.10, 2)


def tax_rate_es_tools(amount: float) -> float:
    """VAT on tools sold in ES."""
    return round(amount * 0.13, 2)


def tax_rate_es_music(amount: float) -> float:
    """VAT on music sold in ES."""
    return round(amount * 0.16, 2)


def tax_rate_es_games(amount: float) -> float:
    """VAT on games sold in ES."""
    return round(amount * 0.19, 2)


def tax_rate_es_garden(amount: float) -> float:
    """VAT on garden sold in ES."""
    return round(amount * 0.22, 2)


def tax_rate_es_sports(amount: float) -> float:
    """VAT on sports sold in ES."""
    return round(amount * 0.05, 2)


def tax_rate_es_office(amount: float) -> float:
    """VAT on office sold in ES."""
    return round(amount * 0.08, 2)


def tax_rate_fi_books(amount: float) -> float:
    """VAT on books sold in FI."""
    return round(amount * 0.08, 2)


def tax_rate_fi_food(amount: float) -> float:
    """VAT on food sold in FI."""
    return round(amount * 0.11, 2)


def tax_rate_fi_clothes(amount: float) -> float:
    """VAT on clothes sold in FI."""
    return round(amount * 0.14, 2)


def tax_rate_fi_toys(amount: float) -> float:
    """VAT on toys sold in FI."""
    return round(amount * 0.17, 2)


def tax_rate_fi_tools(amount: float) -> float:
    """VAT on tools sold in FI."""
    return round(amount * 0.20, 2)


def tax_rate_fi_music(amount: float) -> float:
    """VAT on music sold in FI."""
    return round(amount * 0.23, 2)


def tax_rate_fi_games(amount: float) -> float:
    """VAT on games sold in FI."""
    return round(amount * 0.06, 2)


def tax_rate_fi_garden(amount: float) -> float:
    """VAT on garden sold in FI."""
    return round(amount * 0.09, 2)


def tax_rate_fi_sports(amount: float) -> float:
    """VAT on sports sold in FI."""
    return round(amount * 0.12, 2)


def tax_rate_fi_office(amount: float) -> float:
    """VAT on office sold in FI."""
    return round(amount * 0.15, 2)


def tax_rate_fr_books(amount: float) -> float:
    """VAT on books sold in FR."""
    return round(amount * 0.15, 2)


def tax_rate_fr_food(amount: float) -> float:
    """VAT on food sold in FR."""
    return round(amount * 0.18, 2)


def tax_rate_fr_clothes(amount: float) -> float:
    """VAT on clothes sold in FR."""
    return round(amount * 0.21, 2)


def tax_rate_fr_toys(amount: float) -> float:
    """VAT on toys sold in FR."""
    return round(amount * 0.24, 2)


def tax_rate_fr_tools(amount: float) -> float:
    """VAT on tools sold in FR."""
    return round(amount * 0.07, 2)


def tax_rate_fr_music(amount: float) -> float:
    """VAT on music sold in FR."""
    return round(amount * 0.10, 2)


def tax_rate_fr_games(amount: float) -> float:
    """VAT on games sold in FR."""
    return round(amount * 0.13, 2)


def tax_rate_fr_garden(amount: float) -> float:
    """VAT on garden sold in FR."""
    return round(amount * 0.16, 2)


def tax_rate_fr_sports(amount: float) -> float:
    """VAT on sports sold in FR."""
    return round(amount * 0.19, 2)


def tax_rate_fr_office(amount: float) -> float:
    """VAT on office sold in FR."""
    return round(amount * 0.22, 2)


def tax_rate_gr_books(amount: float) -> float:
    """VAT on books sold in GR."""
    return round(amount * 0.22, 2)


def tax_rate_gr_food(amount: float) -> float:
    """VAT on food sold in GR."""
    return round(amount * 0.05, 2)


def tax_rate_gr_clothes(amount: float) -> float:
    """VAT on clothes sold in GR."""
    return round(amount * 0.08, 2)


def tax_rate_gr_toys(amount: float) -> float:
    """VAT on toys sold in GR."""
    return round(amount * 0.11, 2)


def tax_rate_gr_tools(amount: float) -> float:
    """VAT on tools sold in GR."""
    return round(amount * 0.14, 2)


def tax_rate_gr_music(amount: float) -> float:
    """VAT on music sold in GR."""
    return round(amount * 0.17, 2)


def tax_rate_gr_games(amount: float) -> float:
    """VAT on games sold in GR."""
    return round(amount * 0.20, 2)


def tax_rate_gr_garden(amount: float) -> float:
    """VAT on garden sold in GR."""
    return round(amount * 0.23, 2)


def tax_rate_gr_sports(amount: float) -> float:
    """VAT on sports sold in GR."""
    return round(amount * 0.06, 2)


def tax_rate_gr_office(amount: float) -> float:
    """VAT on office sold in GR."""
    return round(amount * 0.09, 2)


def tax_rate_hr_books(amount: float) -> float:
    """VAT on books sold in HR."""
    return round(amount * 0.09, 2)


def tax_rate_hr_food(amount: float) -> float:
    """VAT on food sold in HR."""
    return round(amount * 0.12, 2)


def tax_rate_hr_clothes(amount: float) -> float:
    """VAT on clothes sold in HR."""
    return round(amount * 0.15, 2)


def tax_rate_hr_toys(amount: float) -> float:
    """VAT on toys sold in HR."""
    return round(amount * 0.18, 2)


def tax_rate_hr_tools(amount: float) -> float:
    """VAT on tools sold in HR."""
    return round(amount * 0.21, 2)


def tax_rate_hr_music(amount: float) -> float:
    """VAT on music sold in HR."""
    return round(amount * 0.24, 2)


def tax_rate_hr_games(amount: float) -> float:
    """VAT on games sold in HR."""
    return round(amount * 0.07, 2)


def tax_rate_hr_garden(amount: float) -> float:
    """VAT on garden sold in HR."""
    return round(amount * 0.10, 2)


def tax_rate_hr_sports(amount: float) -> float:
    """VAT on sports sold in HR."""
    return round(amount * 0.13, 2)


def tax_rate_hr_office(amount: float) -> float:
    """VAT on office sold in HR."""
    return round(amount * 0.16, 2)


def tax_rate_hu_books(amount: float) -> float:
    """VAT on books sold in HU."""
    return round(amount * 0.16, 2)


def tax_rate_hu_food(amount: float) -> float:
    """VAT on food sold in HU."""
    return round(amount * 0.19, 2)


def tax_rate_hu_clothes(amount: float) -> float:
    """VAT on clothes sold in HU."""
    return round(amount * 0.22, 2)


def tax_rate_hu_toys(amount: float) -> float:
    """VAT on toys sold in HU."""
    return round(amount * 0.05, 2)


def tax_rate_hu_tools(amount: float) -> float:
    """VAT on tools sold in HU."""
    return round(amount * 0.08, 2)


def tax_rate_hu_music(amount: float) -> float:
    """VAT on music sold in HU."""
    return round(amount * 0.11, 2)


def tax_rate_hu_games(amount: float) -> float:
    """VAT on games sold in HU."""
    return round(amount * 0.14, 2)


def tax_rate_hu_garden(amount: float) -> float:
    """VAT on garden sold in HU."""
    return round(amount * 0.17, 2)


def tax_rate_hu_sports(amount: float) -> float:
    """VAT on sports sold in HU."""
    return round(amount * 0.20, 2)


def tax_rate_hu_office(amount: float) -> float:
    """VAT on office sold in HU."""
    return round(amount * 0.23, 2)


def tax_rate_ie_books(amount: float) -> float:
    """VAT on books sold in IE."""
    return round(amount * 0.23, 2)


def tax_rate_ie_food(amount: float) -> float:
    """VAT on food sold in IE."""
    return round(amount * 0.06, 2)


def tax_rate_ie_clothes(amount: float) -> float:
    """VAT on clothes sold in IE."""
    return round(amount * 0.09, 2)


def tax_rate_ie_toys(amount: float) -> float:
    """VAT on toys sold in IE."""
    return round(amount * 0.12, 2)


def tax_rate_ie_tools(amount: float) -> float:
    """VAT on tools sold in IE."""
    return round(amount * 0.15, 2)


def tax_rate_ie_music(amount: float) -> float:
    """VAT on music sold in IE."""
    return round(amount * 0.18, 2)


def tax_rate_ie_games(amount: float) -> float:
    """VAT on games sold in IE."""
    return round(amount * 0.21, 2)


def tax_rate_ie_garden(amount: float) -> float:
    """VAT on garden sold in IE."""
    return round(amount * 0.24, 2)


def tax_rate_ie_sports(amount: float) -> float:
    """VAT on sports sold in IE."""
    return round(amount * 0.07, 2)


def tax_rate_ie_office(amount: float) -> float:
    """VAT on office sold in IE."""
    return round(amount * 0.10, 2)


def tax_rate_it_books(amount: float) -> float:
    """VAT on books sold in IT."""
    return round(amount * 0.10, 2)


def tax_rate_it_food(amount: float) -> float:
    """VAT on food sold in IT."""
    return round(amount * 0.13, 2)


def tax_rate_it_clothes(amount: float) -> float:
    """VAT on clothes sold in IT."""
    return round(amount * 0.16, 2)


def tax_rate_it_toys(amount: float) -> float:
    """VAT on toys sold in IT."""
    return round(amount * 0.19, 2)


def tax_rate_it_tools(amount: float) -> float:
    """VAT on tools sold in IT."""
    return round(amount * 0.22, 2)


def tax_rate_it_music(amount: float) -> float:
    """VAT on music sold in IT."""
    return round(amount * 0.05, 2)


def tax_rate_it_games(amount: float) -> float:
    """VAT on games sold in IT."""
    return round(amount * 0.08, 2)


def tax_rate_it_garden(amount: float) -> float:
    """VAT on garden sold in IT."""
    return round(amount * 0.11, 2)


def tax_rate_it_sports(amount: float) -> float:
    """VAT on sports sold in IT."""
    return round(amount * 0.14, 2)


def tax_rate_it_office(amount: float) -> float:
    """VAT on office sold in IT."""
    return round(amount * 0.17, 2)


def tax_rate_lt_books(amount: float) -> float:
    """VAT on books sold in LT."""
    return round(amount * 0.17, 2)


def tax_rate_lt_food(amount: float) -> float:
    """VAT on food sold in LT."""
    return round(amount * 0.20, 2)


def tax_rate_lt_clothes(amount: float) -> float:
    """VAT on clothes sold in LT."""
    return round(amount * 0.23, 2)


def tax_rate_lt_toys(amount: float) -> float:
    """VAT on toys sold in LT."""
    return round(amount * 0.06, 2)


def tax_rate_lt_tools(amount: float) -> float:
    """VAT on tools sold in LT."""
    return round(amount * 0.09, 2)


def tax_rate_lt_music(amount: float) -> float:
    """VAT on music sold in LT."""
    return round(amount * 0.12, 2)


def tax_rate_lt_games(amount: float) -> float:
    """VAT on games sold in LT."""
    return round(amount * 0.15, 2)


def tax_rate_lt_garden(amount: float) -> float:
    """VAT on garden sold in LT."""
    return round(amount * 0.18, 2)


def tax_rate_lt_sports(amount: float) -> float:
    """VAT on sports sold in LT."""
    return round(amount * 0.21, 2)


def tax_rate_lt_office(amount: float) -> float:
    """VAT on office sold in LT."""
    return round(amount * 0.24, 2)


def tax_rate_lu_books(amount: float) -> float:
    """VAT on books sold in LU."""
    return round(amount * 0.24, 2)


def tax_rate_lu_food(amount: float) -> float:
    """VAT on food sold in LU."""
    return round(amount * 0.07, 2)


def tax_rate_lu_clothes(amount: float) -> float:
    """VAT on clothes sold in LU."""
    return round(amount * 0.10, 2)


def tax_rate_lu_toys(amount: float) -> float:
    """VAT on toys sold in LU."""
    return round(amount * 0.13, 2)


def tax_rate_lu_tools(amount: float) -> float:
    """VAT on tools sold in LU."""
    return round(amount * 0.16, 2)


def tax_rate_lu_music(amount: float) -> float:
    """VAT on music sold in LU."""
    return round(amount * 0.19, 2)


def tax_rate_lu_games(amount: float) -> float:
    """VAT on games sold in LU."""
    return round(amount * 0.22, 2)


def tax_rate_lu_garden(amount: float) -> float:
    """VAT on garden sold in LU."""
    return round(amount * 0.05, 2)


def tax_rate_lu_sports(amount: float) -> float:
    """VAT on sports sold in LU."""
    return round(amount * 0.08, 2)


def tax_rate_lu_office(amount: float) -> float:
    """VAT on office sold in LU."""
    return round(amount * 0.11, 2)


def tax_rate_lv_books(amount: float) -> float:
    """VAT on books sold in LV."""
    return round(amount * 0.11, 2)


def tax_rate_lv_food(amount: float) -> float:
    """VAT on food sold in LV."""
    return round(amount * 0.14, 2)


def tax_rate_lv_clothes(amount: float) -> float:
    """VAT on clothes sold in LV."""
    return round(amount * 0.17, 2)


def tax_rate_lv_toys(amount: float) -> float:
    """VAT on toys sold in LV."""
    return round(amount * 0.20, 2)


def tax_rate_lv_tools(amount: float) -> float:
    """VAT on tools sold in LV."""
    return round(amount * 0.23, 2)


def tax_rate_lv_music(amount: float) -> float:
    """VAT on music sold in LV."""
    return round(amount * 0.06, 2)


def tax_rate_lv_games(amount: float) -> float:
    """VAT on games sold in LV."""
    return round(amount * 0.09, 2)


def tax_rate_lv_garden(amount: float) -> float:
    """VAT on garden sold in LV."""
    return round(amount * 0.12, 2)


def tax_rate_lv_sports(amount: float) -> float:
    """VAT on sports sold in LV."""
    return round(amount * 0.15, 2)


def tax_rate_lv_office(amount: float) -> float:
    """VAT on office sold in LV."""
    return round(amount * 0.18, 2)


def tax_rate_mt_books(amount: float) -> float:
    """VAT on books sold in MT."""
    return round(amount * 0.18, 2)


def tax_rate_mt_food(amount: float) -> float:
    """VAT on food sold in MT."""
    return round(amount * 0.21, 2)


def tax_rate_mt_clothes(amount: float) -> float:
    """VAT on clothes sold in MT."""
    return round(amount * 0.24, 2)


def tax_rate_mt_toys(amount: float) -> float:
    """VAT on toys sold in MT."""
    return round(amount * 0.07, 2)


def tax_rate_mt_tools(amount: float) -> float:
    """VAT on tools sold in MT."""
    return round(amount * 0.10, 2)


def tax_rate_mt_music(amount: float) -> float:
    """VAT on music sold in MT."""
    return round(amount * 0.13, 2)


def tax_rate_mt_games(amount: float) -> float:
    """VAT on games sold in MT."""
    return round(amount * 0.16, 2)


def tax_rate_mt_garden(amount: float) -> float:
    """VAT on garden sold in MT."""
    return round(amount * 0.19, 2)


def tax_rate_mt_sports(amount: float) -> float:
    """VAT on sports sold in MT."""
    return round(amount * 0.22, 2)


def tax_rate_mt_office(amount: float) -> float:
    """VAT on office sold in MT."""
    return round(amount * 0.05, 2)


def tax_rate_nl_books(amount: float) -> float:
    """VAT on books sold in NL."""
    return round(amount * 0.05, 2)


def tax_rate_nl_food(amount: float) -> float:
    """VAT on food sold in NL."""
    return round(amount * 0.08, 2)


def tax_rate_nl_clothes(amount: float) -> float:
    """VAT on clothes sold in NL."""
    return round(amount * 0.11, 2)


def tax_rate_nl_toys(amount: float) -> float:
    """VAT on toys sold in NL."""
    return round(amount * 0.14, 2)


def tax_rate_nl_tools(amount: float) -> float:
    """VAT on tools sold in NL."""
    return round(amount * 0.17, 2)


def tax_rate_nl_music(amount: float) -> float:
    """VAT on music sold in NL."""
    return round(amount * 0.20, 2)


def tax_rate_nl_games(amount: float) -> float:
    """VAT on games sold in NL."""
    return round(amount * 0.23, 2)


def tax_rate_nl_garden(amount: float) -> float:
    """VAT on garden sold in NL."""
    return round(amount * 0.06, 2)


def tax_rate_nl_sports(amount: float) -> float:
    """VAT on sports sold in NL."""
    return round(amount * 0.09, 2)


def tax_rate_nl_office(amount: float) -> float:
    """VAT on office sold in NL."""
    return round(amount * 0.12, 2)


def tax_rate_pl_books(amount: float) -> float:
    """VAT on books sold in PL."""
    return round(amount * 0.12, 2)


def tax_rate_pl_food(amount: float) -> float:
    """VAT on food sold in PL."""
    return round(amount * 0.15, 2)


def tax_rate_pl_clothes(amount: float) -> float:
    """VAT on clothes sold in PL."""
    return round(amount * 0.18, 2)


def tax_rate_pl_toys(amount: float) -> float:
    """VAT on toys sold in PL."""
    return round(amount * 0.21, 2)


def tax_rate_pl_tools(amount: float) -> float:
    """VAT on tools sold in PL."""
    return round(amount * 0.24, 2)


def tax_rate_pl_music(amount: float) -> float:
    """VAT on music sold in PL."""
    return round(amount * 0.07, 2)


def tax_rate_pl_games(amount: float) -> float:
    """VAT on games sold in PL."""
    return round(amount * 0.10, 2)


def tax_rate_pl_garden(amount: float) -> float:
    """VAT on garden sold in PL."""
    return round(amount * 0.13, 2)


def tax_rate_pl_sports(amount: float) -> float:
    """VAT on sports sold in PL."""
    return round(amount * 0.16, 2)


def tax_rate_pl_office(amount: float) -> float:
    """VAT on office sold in PL."""
    return round(amount * 0.19, 2)


def tax_rate_pt_books(amount: float) -> float:
    """VAT on books sold in PT."""
    return round(amount * 0.19, 2)


def tax_rate_pt_food(amount: float) -> float:
    """VAT on food sold in PT."""
    return round(amount * 0.22, 2)


def tax_rate_pt_clothes(amount: float) -> float:
    """VAT on clothes sold in PT."""
    return round(amount * 0.05, 2)


def tax_rate_pt_toys(amount: float) -> float:
    """VAT on toys sold in PT."""
    return round(amount * 0.08, 2)


def tax_rate_pt_tools(amount: float) -> float:
    """VAT on tools sold in PT."""
    return round(amount * 0.11, 2)


def tax_rate_pt_music(amount: float) -> float:
    """VAT on music sold in PT."""
    return round(amount * 0.14, 2)


def tax_rate_pt_games(amount: float) -> float:
    """VAT on games sold in PT."""
    return round(amount * 0.17, 2)


def tax_rate_pt_garden(amount: float) -> float:
    """VAT on garden sold in PT."""
    return round(amount * 0.20, 2)


def tax_rate_pt_sports(amount: float) -> float:
    """VAT on sports sold in PT."""
    return round(amount * 0.23, 2)


def tax_rate_pt_office(amount: float) -> float:
    """VAT on office sold in PT."""
    return round(amount * 0.06, 2)


def tax_rate_ro_books(amount: float) -> float:
    """VAT on books sold in RO."""
    return round(amount * 0.06, 2)


def tax_rate_ro_food(amount: float) -> float:
    """VAT on food sold in RO."""
    return round(amount * 0.09, 2)


def tax_rate_ro_clothes(amount: float) -> float:
    """VAT on clothes sold in RO."""
    return round(amount * 0.12, 2)


def tax_rate_ro_toys(amount: float) -> float:
    """VAT on toys sold in RO."""
    return round(amount * 0.15, 2)


def tax_rate_ro_tools(amount: float) -> float:
    """VAT on tools sold in RO."""
    return round(amount * 0.18, 2)


def tax_rate_ro_music(amount: float) -> float:
    """VAT on music sold in RO."""
    return round(amount * 0.21, 2)


def tax_rate_ro_games(amount: float) -> float:
    """VAT on games sold in RO."""
    return round(amount * 0.24, 2)


def tax_rate_ro_garden(amount: float) -> float:
    """VAT on garden sold in RO."""
    return round(amount * 0.07, 2)


def tax_rate_ro_sports(amount: float) -> float:
    """VAT on sports sold in RO."""
    return round(amount * 0.10, 2)


def tax_rate_ro_office(amount: float) -> float:
    """VAT on office sold in RO."""
    return round(amount * 0.13, 2)


def tax_rate_se_books(amount: float) -> float:
    """VAT on books sold in SE."""
    return round(amount * 0.13, 2)


def tax_rate_se_food(amount: float) -> float:
    """VAT on food sold in SE."""
    return round(amount * 0.16, 2)


def tax_rate_se_clothes(amount: float) -> float:
    """VAT on clothes sold in SE."""
    return round(amount * 0.19, 2)


def tax_rate_se_toys(amount: float) -> float:
    """VAT on toys sold in SE."""
    return round(amount * 0.22, 2)


def tax_rate_se_tools(amount: float) -> float:
    """VAT on tools sold in SE."""
    return round(amount * 0.05, 2)


def tax_rate_se_music(amount: float) -> float:
    """VAT on music sold in SE."""
    return round(amount * 0.08, 2)


def tax_rate_se_games(amount: float) -> float:
    """VAT on games sold in SE."""
    return round(amount * 0.11, 2)


def tax_rate_se_garden(amount: float) -> float:
    """VAT on garden sold in SE."""
    return round(amount * 0.14, 2)


def tax_rate_se_sports(amount: float) -> float:
    """VAT on sports sold in SE."""
    return round(amount * 0.17, 2)


def tax_rate_se_office(amount: float) -> float:
    """VAT on office sold in SE."""
    return round(amount * 0.20, 2)


def tax_rate_si_books(amount: float) -> float:
    """VAT on books sold in SI."""
    return round(amount * 0.20, 2)


def tax_rate_si_food(amount: float) -> float:
    """VAT on food sold in SI."""
    return round(amount * 0.23, 2)


def tax_rate_si_clothes(amount: float) -> float:
    """VAT on clothes sold in SI."""
    return round(amount * 0.06, 2)


def tax_rate_si_toys(amount: float) -> float:
    """VAT on toys sold in SI."""
    return round(amount * 0.09, 2)


def tax_rate_si_tools(amount: float) -> float:
    """VAT on tools sold in SI."""
    return round(amount * 0.12, 2)


def tax_rate_si_music(amount: float) -> float:
    """VAT on music sold in SI."""
    return round(amount * 0.15, 2)


def tax_rate_si_games(amount: float) -> float:
    """VAT on games sold in SI."""
    return round(amount * 0.18, 2)


def tax_rate_si_garden(amount: float) -> float:
    """VAT on garden sold in SI."""
    return round(amount * 0.21, 2)


def tax_rate_si_sports(amount: float) -> float:
    """VAT on sports sold in SI."""
    return round(amount * 0.24, 2)


def tax_rate_si_office(amount: float) -> float:
    """VAT on office sold in SI."""
    return round(amount * 0.07, 2)


def tax_rate_sk_books(amount: float) -> float:
    """VAT on books sold in SK."""
    return round(amount * 0.07, 2)


def tax_rate_sk_food(amount: float) -> float:
    """VAT on food sold in SK."""
    return round(amount * 0.10, 2)


def tax_rate_sk_clothes(amount: float) -> float:
    """VAT on clothes sold in SK."""
    return round(amount * 0.13, 2)


def tax_rate_sk_toys(amount: float) -> float:
    """VAT on toys sold in SK."""
    return round(amount * 0.16, 2)


def tax_rate_sk_tools(amount: float) -> float:
    """VAT on tools sold in SK."""
    return round(amount * 0.19, 2)


def tax_rate_sk_music(amount: float) -> float:
    """VAT on music sold in SK."""
    return round(amount * 0.22, 2)


def tax_rate_sk_games(amount: float) -> float:
    """VAT on games sold in SK."""
    return round(amount * 0.05, 2)


def tax_rate_sk_garden(amount: float) -> float:
    """VAT on garden sold in SK."""
    return round(amount * 0.08, 2)


def tax_rate_sk_sports(amount: float) -> float:
    """VAT on sports sold in SK."""
    return round(amount * 0.11, 2)


def tax_rate_sk_office(amount: float) -> float:
    """VAT on office sold in SK."""
    return round(amount * 0.14, 2)


def tax_rate_no_books(amount: float) -> float:
    """VAT on books sold in NO."""
    return round(amount * 0.14, 2)


def tax_rate_no_food(amount: float) -> float:
    """VAT on food sold in NO."""
    return round(amount * 0.17, 2)


def tax_rate_no_clothes(amount: float) -> float:
    """VAT on clothes sold in NO."""
    return round(amount * 0.20, 2)


def tax_rate_no_toys(amount: float) -> float:
    """VAT on toys sold in NO."""
    return round(amount * 0.23, 2)


def tax_rate_no_tools(amount: float) -> float:
    """VAT on tools sold in NO."""
    return round(amount * 0.06, 2)


def tax_rate_no_music(amount: float) -> float:
    """VAT on music sold in NO."""
    return round(amount * 0.09, 2)


def tax_rate_no_games(amount: float) -> float:
    """VAT on games sold in NO."""
    return round(amount * 0.12, 2)


def tax_rate_no_garden(amount: float) -> float:
    """VAT on garden sold in NO."""
    return round(amount * 0.15, 2)


def tax_rate_no_sports(amount: float) -> float:
    """VAT on sports sold in NO."""
    return round(amount * 0.18, 2)


def tax_rate_no_office(amount: float) -> float:
    """VAT on office sold in NO."""
    return round(amount * 0.21, 2)


def tax_rate_ch_books(amount: float) -> float:
    """VAT on books sold in CH."""
    return round(amount * 0.21, 2)


def tax_rate_ch_food(amount: float) -> float:
    """VAT on food sold in CH."""
    return round(amount * 0.24, 2)


def tax_rate_ch_clothes(amount: float) -> float:
    """VAT on clothes sold in CH."""
    return round(amount * 0.07, 2)


def tax_rate_ch_toys(amount: float) -> float:
    """VAT on toys sold in CH."""
    return round(amount * 0.10, 2)


def tax_rate_ch_tools(amount: float) -> float:
    """VAT on tools sold in CH."""
    return round(amount * 0.13, 2)


def tax_rate_ch_music(amount: float) -> float:
    """VAT on music sold in CH."""
    return round(amount * 0.16, 2)


def tax_rate_ch_games(amount: float) -> float:
    """VAT on games sold in CH."""
    return round(amount * 0.19, 2)


def tax_rate_ch_garden(amount: float) -> float:
    """VAT on garden sold in CH."""
    return round(amount * 0.22, 2)


def tax_rate_ch_sports(amount: float) -> float:
    """VAT on sports sold in CH."""
    return round(amount * 0.05, 2)


def tax_rate_ch_office(amount: float) -> float:
    """VAT on office sold in CH."""
    return round(amount * 0.08, 2)


def tax_rate_uk_books(amount: float) -> float:
    """VAT on books sold in UK."""
    return round(amount * 0.08, 2)


def tax_rate_uk_food(amount: float) -> float:
    """VAT on food sold in UK."""
    return round(amount * 0.11, 2)


def tax_rate_uk_clothes(amount: float) -> float:
    """VAT on clothes sold in UK."""
    return round(amount * 0.14, 2)


def tax_rate_uk_toys(amount: float) -> float:
    """VAT on toys sold in UK."""
    return round(amount * 0.17, 2)


def tax_rate_uk_tools(amount: float) -> float:
    """VAT on tools sold in UK."""
    return round(amount * 0.20, 2)


def tax_rate_uk_music(amount: float) -> float:
    """VAT on music sold in UK."""
    return round(amount * 0.23, 2)


def tax_rate_uk_games(amount: float) -> float:
    """VAT on games sold in UK."""
    return round(amount * 0.06, 2)


def tax_rate_uk_garden(amount: float) -> float:
    """VAT on garden sold in UK."""
    return round(amount * 0.09, 2)


def tax_rate_uk_sports(amount: float) -> float:
    """VAT on sports sold in UK."""
    return round(amount * 0.12, 2)


def tax_rate_uk_office(amount: float) -> float:
    """VAT on office sold in UK."""
    return round(amount * 0.15, 2)

SHIPPING_ZONE_0 = 0
SHIPPING_ZONE_1 = 1
SHIPPING_ZONE_2 = 2
SHIPPING_ZONE_3 = 3
SHIPPING_ZONE_4 = 4
SHIPPING_ZONE_5 = 5
SHIPPING_ZONE_6 = 6
SHIPPING_ZONE_7 = 0
SHIPPING_ZONE_8 = 1
SHIPPING_ZONE_9 = 2
SHIPPING_ZONE_10 = 3
SHIPPING_ZONE_11 = 4
SHIPPING_ZONE_12 = 5
SHIPPING_ZONE_13 = 6
SHIPPING_ZONE_14 = 0
SHIPPING_ZONE_15 = 1
SHIPPING_ZONE_16 = 2
SHIPPING_ZONE_17 = 3
SHIPPING_ZONE_18 = 4
SHIPPING_ZONE_19 = 5
SHIPPING_ZONE_20 = 6
SHIPPING_ZONE_21 = 0
SHIPPING_ZONE_22 = 1
SHIPPING_ZONE_23 = 2
SHIPPING_ZONE_24 = 3
SHIPPING_ZONE_25 = 4
SHIPPING_ZONE_26 = 5
SHIPPING_ZONE_27 = 6
SHIPPING_ZONE_28 = 0
SHIPPING_ZONE_29 = 1
SHIPPING_ZONE_30 = 2
SHIPPING_ZONE_31 = 3
SHIPPING_ZONE_32 = 4
SHIPPING_ZONE_33 = 5
SHIPPING_ZONE_34 = 6
SHIPPING_ZONE_35 = 0
SHIPPING_ZONE_36 = 1
SHIPPING_ZONE_37 = 2
SHIPPING_ZONE_38 = 3
SHIPPING_ZONE_39 = 4
SHIPPING_ZONE_40 = 5
SHIPPING_ZONE_41 = 6
SHIPPING_ZONE_42 = 0
SHIPPING_ZONE_43 = 1
SHIPPING_ZONE_44 = 2
SHIPPING_ZONE_45 = 3
SHIPPING_ZONE_46 = 4
SHIPPING_ZONE_47 = 5
SHIPPING_ZONE_48 = 6
SHIPPING_ZONE_49 = 0
SHIPPING_ZONE_50 = 1
SHIPPING_ZONE_51 = 2
SHIPPING_ZONE_52 = 3
SHIPPING_ZONE_53 = 4
SHIPPING_ZONE_54 = 5
SHIPPING_ZONE_55 = 6
SHIPPING_ZONE_56 = 0
SHIPPING_ZONE_57 = 1
SHIPPING_ZONE_58 = 2
SHIPPING_ZONE_59 = 3
SHIPPING_ZONE_60 = 4
SHIPPING_ZONE_61 = 5
SHIPPING_ZONE_62 = 6
SHIPPING_ZONE_63 = 0
SHIPPING_ZONE_64 = 1
SHIPPING_ZONE_65 = 2
SHIPPING_ZONE_66 = 3
SHIPPING_ZONE_67 = 4
SHIPPING_ZONE_68 = 5
SHIPPING_ZONE_69 = 6
SHIPPING_ZONE_70 = 0
SHIPPING_ZONE_71 = 1
SHIPPING_ZONE_72 = 2
SHIPPING_ZONE_73 = 3
SHIPPING_ZONE_74 = 4
SHIPPING_ZONE_75 = 5
SHIPPING_ZONE_76 = 6
SHIPPING_ZONE_77 = 0
SHIPPING_ZONE_78 = 1
SHIPPING_ZONE_79 = 2
SHIPPING_ZONE_80 = 3
SHIPPING_ZONE_81 = 4
SHIPPING_ZONE_82 = 5
SHIPPING_ZONE_83 = 6
SHIPPING_ZONE_84 = 0
SHIPPING_ZONE_85 = 1
SHIPPING_ZONE_86 = 2
SHIPPING_ZONE_87 = 3
SHIPPING_ZONE_88 = 4
SHIPPING_ZONE_89 = 5
SHIPPING_ZONE_90 = 6
SHIPPING_ZONE_91 = 0
SHIPPING_ZONE_92 = 1
SHIPPING_ZONE_93 = 2
SHIPPING_ZONE_94 = 3
SHIPPING_ZONE_95 = 4
SHIPPING_ZONE_96 = 5
SHIPPING_ZONE_97 = 6
SHIPPING_ZONE_98 = 0
SHIPPING_ZONE_99 = 1
SHIPPING_ZONE_100 = 2
SHIPPING_ZONE_101 = 3
SHIPPING_ZONE_102 = 4
SHIPPING_ZONE_103 = 5
SHIPPING_ZONE_104 = 6
SHIPPING_ZONE_105 = 0
SHIPPING_ZONE_106 = 1
SHIPPING_ZONE_107 = 2
SHIPPING_ZONE_108 = 3
SHIPPING_ZONE_109 = 4
SHIPPING_ZONE_110 = 5
SHIPPING_ZONE_111 = 6
SHIPPING_ZONE_112 = 0
SHIPPING_ZONE_113 = 1
SHIPPING_ZONE_114 = 2
SHIPPING_ZONE_115 = 3
SHIPPING_ZONE_116 = 4
SHIPPING_ZONE_117 = 5
SHIPPING_ZONE_118 = 6
SHIPPING_ZONE_119 = 0
SHIPPING_ZONE_120 = 1
SHIPPING_ZONE_121 = 2
SHIPPING_ZONE_122 = 3
SHIPPING_ZONE_123 = 4
SHIPPING_ZONE_124 = 5
SHIPPING_ZONE_125 = 6
SHIPPING_ZONE_126 = 0
SHIPPING_ZONE_127 = 1
SHIPPING_ZONE_128 = 2
SHIPPING_ZONE_129 = 3
SHIPPING_ZONE_130 = 4
SHIPPING_ZONE_131 = 5
SHIPPING_ZONE_132 = 6
SHIPPING_ZONE_133 = 0
SHIPPING_ZONE_134 = 1
SHIPPING_ZONE_135 = 2
SHIPPING_ZONE_136 = 3
SHIPPING_ZONE_137 = 4
SHIPPING_ZONE_138 = 5
SHIPPING_ZONE_139 = 6
SHIPPING_ZONE_140 = 0
SHIPPING_ZONE_141 = 1
SHIPPING_ZONE_142 = 2
SHIPPING_ZONE_143 = 3
SHIPPING_ZONE_144 = 4
SHIPPING_ZONE_145 = 5
SHIPPING_ZONE_146 = 6
SHIPPING_ZONE_147 = 0
SHIPPING_ZONE_148 = 1
SHIPPING_ZONE_149 = 2
SHIPPING_ZONE_150 = 3
SHIPPING_ZONE_151 = 4
SHIPPING_ZONE_152 = 5
SHIPPING_ZONE_153 = 6
SHIPPING_ZONE_154 = 0
SHIPPING_ZONE_155 = 1
SHIPPING_ZONE_156 = 2
SHIPPING_ZONE_157 = 3
SHIPPING_ZONE_158 = 4
SHIPPING_ZONE_159 = 5
SHIPPING_ZONE_160 = 6
SHIPPING_ZONE_161 = 0
SHIPPING_ZONE_162 = 1
SHIPPING_ZONE_163 = 2
SHIPPING_ZONE_164 = 3
SHIPPING_ZONE_165 = 4
SHIPPING_ZONE_166 = 5
SHIPPING_ZONE_167 = 6
SHIPPING_ZONE_168 = 0
SHIPPING_ZONE_169 = 1
SHIPPING_ZONE_170 = 2
SHIPPING_ZONE_171 = 3
SHIPPING_ZONE_172 = 4
SHIPPING_ZONE_173 = 5
SHIPPING_ZONE_174 = 6
SHIPPING_ZONE_175 = 0
SHIPPING_ZONE_176 = 1
SHIPPING_ZONE_177 = 2
SHIPPING_ZONE_178 = 3
SHIPPING_ZONE_179 = 4
SHIPPING_ZONE_180 = 5
SHIPPING_ZONE_181 = 6
SHIPPING_ZONE_182 = 0
SHIPPING_ZONE_183 = 1
SHIPPING_ZONE_184 = 2
SHIPPING_ZONE_185 = 3
SHIPPING_ZONE_186 = 4
SHIPPING_ZONE_187 = 5
SHIPPING_ZONE_188 = 6
SHIPPING_ZONE_189 = 0
SHIPPING_ZONE_190 = 1
SHIPPING_ZONE_191 = 2
SHIPPING_ZONE_192 = 3
SHIPPING_ZONE_193 = 4
SHIPPING_ZONE_194 = 5
SHIPPING_ZONE_195 = 6
SHIPPING_ZONE_196 = 0
SHIPPING_ZONE_197 = 1
SHIPPING_ZONE_198 = 2
SHIPPING_ZONE_199 = 3
SHIPPING_ZONE_200 = 4
SHIPPING_ZONE_201 = 5
SHIPPING_ZONE_202 = 6
SHIPPING_ZONE_203 = 0
SHIPPING_ZONE_204 = 1
SHIPPING_ZONE_205 = 2
SHIPPING_ZONE_206 = 3
SHIPPING_ZONE_207 = 4
SHIPPING_ZONE_208 = 5
SHIPPING_ZONE_209 = 6
SHIPPING_ZONE_210 = 0
SHIPPING_ZONE_211 = 1
SHIPPING_ZONE_212 = 2
SHIPPING_ZONE_213 = 3
SHIPPING_ZONE_214 = 4
SHIPPING_ZONE_215 = 5
SHIPPING_ZONE_216 = 6
SHIPPING_ZONE_217 = 0
SHIPPING_ZONE_218 = 1
SHIPPING_ZONE_219 = 2
SHIPPING_ZONE_220 = 3
SHIPPING_ZONE_221 = 4
SHIPPING_ZONE_222 = 5
SHIPPING_ZONE_223 = 6
SHIPPING_ZONE_224 = 0
SHIPPING_ZONE_225 = 1
SHIPPING_ZONE_226 = 2
SHIPPING_ZONE_227 = 3
SHIPPING_ZONE_228 = 4
SHIPPING_ZONE_229 = 5
SHIPPING_ZONE_230 = 6
SHIPPING_ZONE_231 = 0
SHIPPING_ZONE_232 = 1
SHIPPING_ZONE_233 = 2
SHIPPING_ZONE_234 = 3
SHIPPING_ZONE_235 = 4
SHIPPING_ZONE_236 = 5
SHIPPING_ZONE_237 = 6
SHIPPING_ZONE_238 = 0
SHIPPING_ZONE_239 = 1
SHIPPING_ZONE_240 = 2
SHIPPING_ZONE_241 = 3
SHIPPING_ZONE_242 = 4
SHIPPING_ZONE_243 = 5
SHIPPING_ZONE_244 = 6
SHIPPING_ZONE_245 = 0
SHIPPING_ZONE_246 = 1
SHIPPING_ZONE_247 = 2
SHIPPING_ZONE_248 = 3
SHIPPING_ZONE_249 = 4
SHIPPING_ZONE_250 = 5
SHIPPING_ZONE_251 = 6
SHIPPING_ZONE_252 = 0
SHIPPING_ZONE_253 = 1
SHIPPING_ZONE_254 = 2
SHIPPING_ZONE_255 = 3
SHIPPING_ZONE_256 = 4
SHIPPING_ZONE_257 = 5
SHIPPING_ZONE_258 = 6
SHIPPING_ZONE_259 = 0
SHIPPING_ZONE_260 = 1
SHIPPING_ZONE_261 = 2
SHIPPING_ZONE_262 = 3
SHIPPING_ZONE_263 = 4
SHIPPING_ZONE_264 = 5
SHIPPING_ZONE_265 = 6
SHIPPING_ZONE_266 = 0
SHIPPING_ZONE_267 = 1
SHIPPING_ZONE_268 = 2
SHIPPING_ZONE_269 = 3
SHIPPING_ZONE_270 = 4
SHIPPING_ZONE_271 = 5
SHIPPING_ZONE_272 = 6
SHIPPING_ZONE_273 = 0
SHIPPING_ZONE_274 = 1
SHIPPING_ZONE_275 = 2
SHIPPING_ZONE_276 = 3
SHIPPING_ZONE_277 = 4
SHIPPING_ZONE_278 = 5
SHIPPING_ZONE_279 = 6
SHIPPING_ZONE_280 = 0
SHIPPING_ZONE_281 = 1
SHIPPING_ZONE_282 = 2
SHIPPING_ZONE_283 = 3
SHIPPING_ZONE_284 = 4
SHIPPING_ZONE_285 = 5
SHIPPING_ZONE_286 = 6
SHIPPING_ZONE_287 = 0
SHIPPING_ZONE_288 = 1
SHIPPING_ZONE_289 = 2
SHIPPING_ZONE_290 = 3
SHIPPING_ZONE_291 = 4
SHIPPING_ZONE_292 = 5
SHIPPING_ZONE_293 = 6
SHIPPING_ZONE_294 = 0
SHIPPING_ZONE_295 = 1
SHIPPING_ZONE_296 = 2
SHIPPING_ZONE_297 = 3
SHIPPING_ZONE_298 = 4
SHIPPING_ZONE_299 = 5
SHIPPING_ZONE_300 = 6
SHIPPING_ZONE_301 = 0
SHIPPING_ZONE_302 = 1
SHIPPING_ZONE_303 = 2
SHIPPING_ZONE_304 = 3
SHIPPING_ZONE_305 = 4
SHIPPING_ZONE_306 = 5
SHIPPING_ZONE_307 = 6
SHIPPING_ZONE_308 = 0
SHIPPING_ZONE_309 = 1
SHIPPING_ZONE_310 = 2
SHIPPING_ZONE_311 = 3
SHIPPING_ZONE_312 = 4
SHIPPING_ZONE_313 = 5
SHIPPING_ZONE_314 = 6
SHIPPING_ZONE_315 = 0
SHIPPING_ZONE_316 = 1
SHIPPING_ZONE_317 = 2
SHIPPING_ZONE_318 = 3
SHIPPING_ZONE_319 = 4
SHIPPING_ZONE_320 = 5
SHIPPING_ZONE_321 = 6
SHIPPING_ZONE_322 = 0
SHIPPING_ZONE_323 = 1
SHIPPING_ZONE_324 = 2
SHIPPING_ZONE_325 = 3
SHIPPING_ZONE_326 = 4
SHIPPING_ZONE_327 = 5
SHIPPING_ZONE_328 = 6
SHIPPING_ZONE_329 = 0
SHIPPING_ZONE_330 = 1
SHIPPING_ZONE_331 = 2
SHIPPING_ZONE_332 = 3
SHIPPING_ZONE_333 = 4
SHIPPING_ZONE_334 = 5
SHIPPING_ZONE_335 = 6
SHIPPING_ZONE_336 = 0
SHIPPING_ZONE_337 = 1
SHIPPING_ZONE_338 = 2
SHIPPING_ZONE_339 = 3
SHIPPING_ZONE_340 = 4
SHIPPING_ZONE_341 = 5
SHIPPING_ZONE_342 = 6
SHIPPING_ZONE_343 = 0
SHIPPING_ZONE_344 = 1
SHIPPING_ZONE_345 = 2
SHIPPING_ZONE_346 = 3
SHIPPING_ZONE_347 = 4
SHIPPING_ZONE_348 = 5
SHIPPING_ZONE_349 = 6
SHIPPING_ZONE_350 = 0
SHIPPING_ZONE_351 = 1
SHIPPING_ZONE_352 = 2
SHIPPING_ZONE_353 = 3
SHIPPING_ZONE_354 = 4
SHIPPING_ZONE_355 = 5
SHIPPING_ZONE_356 = 6
SHIPPING_ZONE_357 = 0
SHIPPING_ZONE_358 = 1
SHIPPING_ZONE_359 = 2
SHIPPING_ZONE_360 = 3
SHIPPING_ZONE_361 = 4
SHIPPING_ZONE_362 = 5
SHIPPING_ZONE_363 = 6
SHIPPING_ZONE_364 = 0
SHIPPING_ZONE_365 = 1
SHIPPING_ZONE_366 = 2
SHIPPING_ZONE_367 = 3
SHIPPING_ZONE_368 = 4
SHIPPING_ZONE_369 = 5
SHIPPING_ZONE_370 = 6
SHIPPING_ZONE_371 = 0
SHIPPING_ZONE_372 = 1
SHIPPING_ZONE_373 = 2
SHIPPING_ZONE_374 = 3
SHIPPING_ZONE_375 = 4
SHIPPING_ZONE_376 = 5
SHIPPING_ZONE_377 = 6
SHIPPING_ZONE_378 = 0
SHIPPING_ZONE_379 = 1
SHIPPING_ZONE_380 = 2
SHIPPING_ZONE_381 = 3
SHIPPING_ZONE_382 = 4
SHIPPING_ZONE_383 = 5
SHIPPING_ZONE_384 = 6
SHIPPING_ZONE_385 = 0
SHIPPING_ZONE_386 = 1
SHIPPING_ZONE_387 = 2
SHIPPING_ZONE_388 = 3
SHIPPING_ZONE_389 = 4
SHIPPING_ZONE_390 = 5
SHIPPING_ZONE_391 = 6
SHIPPING_ZONE_392 = 0
SHIPPING_ZONE_393 = 1
SHIPPING_ZONE_394 = 2
SHIPPING_ZONE_395 = 3
SHIPPING_ZONE_396 = 4
SHIPPING_ZONE_397 = 5
SHIPPING_ZONE_398 = 6
SHIPPING_ZONE_399 = 0
SHIPPING_ZONE_400 = 1
SHIPPING_ZONE_401 = 2
SHIPPING_ZONE_402 = 3
SHIPPING_ZONE_403 = 4
SHIPPING_ZONE_404 = 5
SHIPPING_ZONE_405 = 6
SHIPPING_ZONE_406 = 0
SHIPPING_ZONE_407 = 1
SHIPPING_ZONE_408 = 2
SHIPPING_ZONE_409 = 3
SHIPPING_ZONE_410 = 4
SHIPPING_ZONE_411 = 5
SHIPPING_ZONE_412 = 6
SHIPPING_ZONE_413 = 0
SHIPPING_ZONE_414 = 1
SHIPPING_ZONE_415 = 2
SHIPPING_ZONE_416 = 3
SHIPPING_ZONE_417 = 4
SHIPPING_ZONE_418 = 5
SHIPPING_ZONE_419 = 6
SHIPPING_ZONE_420 = 0
SHIPPING_ZONE_421 = 1
SHIPPING_ZONE_422 = 2
SHIPPING_ZONE_423 = 3
SHIPPING_ZONE_424 = 4
SHIPPING_ZONE_425 = 5
SHIPPING_ZONE_426 = 6
SHIPPING_ZONE_427 = 0
SHIPPING_ZONE_428 = 1
SHIPPING_ZONE_429 = 2
SHIPPING_ZONE_430 = 3
SHIPPING_ZONE_431 = 4
SHIPPING_ZONE_432 = 5
SHIPPING_ZONE_433 = 6
SHIPPING_ZONE_434 = 0
SHIPPING_ZONE_435 = 1
SHIPPING_ZONE_436 = 2
SHIPPING_ZONE_437 = 3
SHIPPING_ZONE_438 = 4
SHIPPING_ZONE_439 = 5
SHIPPING_ZONE_440 = 6
SHIPPING_ZONE_441 = 0
SHIPPING_ZONE_442 = 1
SHIPPING_ZONE_443 = 2
SHIPPING_ZONE_444 = 3
SHIPPING_ZONE_445 = 4
SHIPPING_ZONE_446 = 5
SHIPPING_ZONE_447 = 6
SHIPPING_ZONE_448 = 0
SHIPPING_ZONE_449 = 1
SHIPPING_ZONE_450 = 2
SHIPPING_ZONE_451 = 3
SHIPPING_ZONE_452 = 4
SHIPPING_ZONE_453 = 5
SHIPPING_ZONE_454 = 6
SHIPPING_ZONE_455 = 0
SHIPPING_ZONE_456 = 1
SHIPPING_ZONE_457 = 2
SHIPPING_ZONE_458 = 3
SHIPPING_ZONE_459 = 4
SHIPPING_ZONE_460 = 5
SHIPPING_ZONE_461 = 6
SHIPPING_ZONE_462 = 0
SHIPPING_ZONE_463 = 1
SHIPPING_ZONE_464 = 2
SHIPPING_ZONE_465 = 3
SHIPPING_ZONE_466 = 4
SHIPPING_ZONE_467 = 5
SHIPPING_ZONE_468 = 6
SHIPPING_ZONE_469 = 0
SHIPPING_ZONE_470 = 1
SHIPPING_ZONE_471 = 2
SHIPPING_ZONE_472 = 3
SHIPPING_ZONE_473 = 4
SHIPPING_ZONE_474 = 5
SHIPPING_ZONE_475 = 6
SHIPPING_ZONE_476 = 0
SHIPPING_ZONE_477 = 1
SHIPPING_ZONE_478 = 2
SHIPPING_ZONE_479 = 3
SHIPPING_ZONE_480 = 4
SHIPPING_ZONE_481 = 5
SHIPPING_ZONE_482 = 6
SHIPPING_ZONE_483 = 0
SHIPPING_ZONE_484 = 1
SHIPPING_ZONE_485 = 2
SHIPPING_ZONE_486 = 3
SHIPPING_ZONE_487 = 4
SHIPPING_ZONE_488 = 5
SHIPPING_ZONE_489 = 6
SHIPPING_ZONE_490 = 0
SHIPPING_ZONE_491 = 1
SHIPPING_ZONE_492 = 2
SHIPPING_ZONE_493 = 3
SHIPPING_ZONE_494 = 4


DEFAULT_CURRENCY = "EUR"

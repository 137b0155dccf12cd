"""What a coverage report says in words, written from its figures: the scenario and key figures, the findings,
"access" and "the access gap" in plain English, what the figures mean for a committee, and what the suggested sites
add. Mixed into :class:`analyses.report.model.CoverageReport` (the methods read its attributes)."""

from __future__ import annotations

from analyses import sites as site_choice
from analyses.need_and_supply import beds_text
from analyses.report.text import gap_beds, number, shortfall_words


class ReportWriting:
    """The report's sentences and key-figure pairs (see the module's note)."""

    def scenario(self) -> list[tuple[str, str]]:
        """The settings the report was made with, for its title page."""
        settings, sites = self.result.settings, self.sites
        first, last = settings.thresholds_min[0], settings.thresholds_min[-1]
        site_text = (f"{len(sites.sites)} of {sites.candidates} candidate places, chosen by "
                     f"{site_choice.MEASURES[sites.measure]} ({sites.minutes:g} minutes"
                     f"{f', asked {sites.requested_minutes:g}' if sites.requested_minutes != sites.minutes else ''}); "
                     f"{number(sites.new_beds)} beds each")
        authorship = self.authorship
        people = [("Author", authorship.author)] if authorship.author else []
        people += [("Organisation", authorship.organisation)] if authorship.organisation else []
        return [("Council", self.council), ("Status", authorship.status_text), *people,
                ("Scenario year", str(self.year)), ("Years compared", ", ".join(map(str, self.years))),
                ("Care homes", self.homes_source), ("Travel times", self.method_label.removeprefix("Travel times: ")),
                ("Drive-time bands", f"{', '.join(f'{t:g}' for t in settings.thresholds_min)} minutes "
                                     f"(shares within {first:g} to {last:g})"),
                ("Beds kept free", f"{settings.free_bed_share:.1%} of beds"),
                ("New sites", site_text), ("Produced", f"{self.produced:%d %B %Y}"),
                ("Tool", f"Rural care planner (caremap) {self.version}")]

    def summary(self) -> list[tuple[str, str]]:
        """Key figures of the scenario year (the shortfall marked partial, and set beside the council's documented
        supply, for a partial file)."""
        council, head = self.council_row, self.headline
        first, last = self.result.settings.thresholds_min[0], self.result.settings.thresholds_min[-1]
        shortfall = (("Shortfall (+) or spare (−): PARTIAL FILE", head.sentence()) if head.partial else
                     ("Shortfall (+) or spare (−)", f"{council['shortfall']:+,.0f}"))
        return [
            ("Care homes for older people (in the council)", f"{int(council['homes']):,}"),
            ("Beds", beds_text(council["beds"], council["beds_assumed"])),
            ("Other care homes (not for older people)", f"{int(council['other_homes']):,} homes, "
                                                         f"{council['other_beds']:,.0f} beds"),
            ("Beds per 1,000 aged 65+ / 85+", f"{council['beds_per_1000_65']:.1f} / {council['beds_per_1000_85']:.0f}"),
            ("Access (average, beds within reach per 1,000 aged 65+)", f"{council['access']:.1f}"),
            (f"Aged 65+ within {first:g} / {last:g} min of a home",
             f"{council[f'pct65_within_{first:g}']:.0f}% / {council[f'pct65_within_{last:g}']:.0f}%"),
            (f"Projected bed demand {self.year}", f"{council['bed_demand']:,.0f}"),
            ("Capacity (beds less free share)", f"{council['capacity']:,.0f}"),
            shortfall,
        ]

    def findings(self) -> list[str]:
        """The key findings, written from the figures (the report's summary page)."""
        council, settings, by_year = self.council_row, self.result.settings, self.by_year()
        first_year, last_year = self.years[0], self.years[-1]
        first, last = settings.thresholds_min[0], settings.thresholds_min[-1]
        found = [f"{self.council} has {int(council['homes']):,} care homes for older people with "
                 f"{beds_text(council['beds'], council['beds_assumed'])}: {council['beds_per_1000_65']:.1f} per "
                 f"1,000 people aged 65+ and "
                 f"{council['beds_per_1000_85']:.0f} per 1,000 aged 85+."
                 + (f" Another {int(council['other_homes']):,} homes ({number(council['other_beds'])} beds) are not "
                    f"registered for older people and are counted apart." if council["other_homes"] else "")]
        if self.totals.warning:
            found.append("Warning: " + self.totals.warning)
        elif len(self.totals.table):
            found.append("The homes loaded agree with the council's documented totals within 10% ("
                         + "; ".join(f"{row.what}: {row.loaded:,.0f} against {row.documented:,.0f}"
                                     for row in self.totals.table.itertuples()) + ").")
        else:
            found.append(f"{self.council}'s settings give no documented totals of homes and beds to check the loaded "
                         f"homes against.")
        need = " → ".join(f"{number(by_year.loc[y, 'need_65'])} ({y})" for y in self.years)
        short = ", ".join(f"{shortfall_words(by_year.loc[y, 'shortfall_65'])} in {y}" for y in self.years)
        head = self.headline
        partial = (f" These rest on a PARTIAL FILE: against the {number(head.documented_beds)} beds the council "
                   f"documents the shortfall would be "
                   + ", ".join(f"{number(self.beside.by_year.loc[y, 'documented_shortfall'], signed=True)} in {y}"
                               for y in self.years) + "."
                   if head.partial and self.beside is not None and head.documented_beds is not None else
                   " These rest on a PARTIAL FILE." if head.partial else "")
        found.append(f"Bed need of people aged 65+ grows {need}. Against today's {number(council['capacity'])} usable "
                     f"beds for older people that is {short}.{partial}")
        if settings.nursing_share is not None:
            nursing = ", ".join(f"{number(by_year.loc[y, 'nursing_need'])} in {y}" for y in (first_year, last_year))
            supply = (f"{number(council['nursing_beds'])} beds in homes with nursing — "
                      f"{shortfall_words(by_year.loc[last_year, 'nursing_shortfall'])} by {last_year}; residential "
                      f"care: {shortfall_words(by_year.loc[last_year, 'residential_shortfall'])} by {last_year}"
                      if self.result.nursing_known else
                      "the care-home list does not say which homes are registered for nursing")
            found.append(f"Nursing care ({settings.nursing_share:.0%} of the need): {nursing}; {supply}.")
        if settings.dementia_demand:
            people = " → ".join(f"{number(by_year.loc[y, 'dementia_need'])} ({y})" for y in (first_year, last_year))
            supply = (f"{int(council['dementia_homes']):,} homes registered for dementia have "
                      f"{number(council['dementia_beds'])} beds ({shortfall_words(by_year.loc[last_year, 'dementia_shortfall'])}"
                      f" by {last_year})" if self.result.dementia_known
                      else "the care-home list does not say which homes are registered for dementia")
            found.append(f"People with dementia in care homes: {people}; {supply}.")
        reach = (f"{council[f'pct65_within_{first:g}']:.0f}% of people aged 65+ live within {first:g} minutes of a home "
                 f"for older people and {council[f'pct65_within_{last:g}']:.0f}% within {last:g} minutes (mean "
                 f"{council['minutes_mean']:.0f} minutes; {self.method_label.removeprefix('Travel times: ')}).")
        found.append(reach)
        if len(self.gaps):
            names = "; ".join(f"{row.area_name} (nearest town {row.nearest_town}, {row.town_km:.0f} km)"
                              for row in self.gaps.head(3).itertuples())
            found.append(f"Largest gaps (low access, high projected need): {names}.")
        found.append(self.site_sentence())
        return found

    def access_explained(self) -> list[str]:
        """What "access" and "the access gap" mean, in plain English, with this report's own weights and figures."""
        settings, council = self.result.settings, self.council_row
        bands = sorted(settings.e2sfca_weights.items())
        steps, low = [], 0.0
        for bound, weight in bands:
            share = "fully" if weight >= 1 else f"as {weight:.2f} of a bed"
            steps.append(f"a bed {low:g}–{bound:g} minutes' drive away counts {share}")
            low = bound
        return [
            "Access: how many care-home beds for older people are within reach of where people aged 65+ live, per 1,000 "
            "of them. Nearer beds count more: " + "; ".join(steps) + f"; beds further than {low:g} minutes count not at "
            "all. Each home's beds are shared among everyone aged 65+ who can reach it, so a home with many older "
            "people around it gives each of them less. (The method is the enhanced two-step floating catchment area, "
            "E2SFCA: Luo and Qi, 2009.)",
            f"{self.council}'s average is {council['access']:.1f} beds within reach per 1,000 people aged 65+. The "
            f"access gap is the number of beds that would have to be added within reach of the people below that "
            f"average to bring each of them up to it: {gap_beds(self.sites.gap_before)} beds in {self.year}. A new home "
            f"closes part of the gap by putting beds within reach of people below the average.",
            "Shortfall is different: the council's whole need for beds less the beds there are (after the share kept "
            "free for turnover), wherever they are.",
        ]

    def what_this_means(self) -> str:
        """One paragraph for a committee: what the figures mean and the decision they inform."""
        council, head, by_year = self.council_row, self.headline, self.by_year()
        last = self.years[-1]
        lines = [f"In {self.year}, {self.council} needs about {number(head.need)} care-home beds for people aged 65+; "
                 f"its homes for older people have {number(council['capacity'])} usable beds, "
                 f"{shortfall_words(head.shortfall)}, and by {last} {shortfall_words(by_year.loc[last, 'shortfall_65'])}."]
        if head.partial:
            lines.append(f"These figures rest on a PARTIAL care-home file: against the "
                         f"{number(head.documented_beds)} beds the council documents the {self.year} figure would be "
                         f"{number(head.documented_shortfall, signed=True)}; load the full CQC care directory before "
                         f"relying on them." if head.documented_shortfall is not None else
                         "These figures rest on a PARTIAL care-home file: load the full CQC care directory before "
                         "relying on them.")
        if len(self.gaps):
            places = self.gaps["area_name"].head(3).str.split(" — ").str[0].str.replace(r" \(E\d+\)$", "", regex=True)
            lines.append(f"Beds are hardest to reach around {', '.join(places)}.")
        if len(self.sites.sites):
            lines.append(f"New homes at {', '.join(self.sites.sites['name'])} would close "
                         f"{gap_beds(self.sites.gap_before - self.sites.gap_after)} of the "
                         f"{gap_beds(self.sites.gap_before)}-bed access gap.")
        lines.append(f"The decision this informs: how many care-home beds for older people {self.council} should "
                     f"seek by {last}, of which kind (residential, nursing, dementia), and in which localities to "
                     f"commission or encourage them.")
        return " ".join(lines)

    def site_sentence(self) -> str:
        """What the suggested sites add, in one paragraph (says which solver chose them)."""
        sites = self.sites
        if sites.candidates == 0:
            return "No candidate place was available for a new home (no town or village at least 1 km from a home)."
        if len(sites.sites) == 0:
            return "No new site was asked for." if sites.note == "" else sites.note
        names = ", ".join(sites.sites["name"])
        share_before = 100.0 * sites.covered_before / sites.population if sites.population else 0.0
        share_after = 100.0 * sites.covered_after / sites.population if sites.population else 0.0
        text = (f"{len(sites.sites)} new home(s) of {number(sites.new_beds)} beds at {names} would bring "
                f"{number(sites.covered_after - sites.covered_before)} more people aged 65+ ({self.year}) within "
                f"{sites.minutes:g} minutes of a home for older people ({share_before:.0f}% → {share_after:.0f}%) and "
                f"close {gap_beds(sites.gap_before - sites.gap_after)} of the {gap_beds(sites.gap_before)} beds by "
                f"which people below the council's average access fall short of it (the access gap). "
                f"Chosen by {site_choice.MEASURES[sites.measure]}; solver: {sites.solver}.")
        return f"{sites.note} {text}" if sites.note else text

    def site_lines(self) -> list[str]:
        """Each suggested site and its gain in one line, as the command line prints it (the figures of
        :meth:`site_table`)."""
        minutes = self.sites.minutes
        return [f"{rank}. {row.name}: {number(row.new_people_within)} more people aged 65+ within {minutes:g} min; "
                f"closes {gap_beds(row.access_gap_closed)} beds of the access gap"
                for rank, row in enumerate(self.sites.sites.itertuples(), start=1)]

"""Home through AppTest: uploading your CSV is the first, primary action, beside the built-ins and the Workshop."""

from __future__ import annotations

from apptools import open_page

from dllab import datasets
from dllab.apps import workshop


def test_upload_your_csv_comes_first_and_opens_the_data_pages_uploader():
    at = open_page("Home")
    assert not at.exception
    first = at.main.button[0]
    assert (first.label, first.proto.type) == ("Upload your CSV", "primary")
    first.click().run()
    assert not at.exception and at.title[0].value == "Data"
    assert at.file_uploader(key="csv").label.startswith("Upload a CSV file")


def test_the_built_ins_and_the_workshop_sit_beside_it():
    at = open_page("Home")
    captions = [c.value for c in at.caption]
    assert any(c.startswith(f"{len(datasets.catalogue())} datasets, real and generated") for c in captions)
    assert any(c.startswith(f"{len(workshop.scenarios())} guided scenarios") for c in captions)
    assert any("#built-in-datasets" in m.value for m in at.markdown)  # a link down to the cards
    assert at.subheader[-1].value == "Built-in datasets" and at.button(key="load-penguins").label == "Load"
    at.button(key="home-workshop").click().run()
    assert not at.exception and at.title[0].value == "Workshop"


def test_statistical_terms_on_home_carry_their_help():
    from dllab.present.glossary import help_for

    at = open_page("Home")
    helps = {m.value: m.proto.help for m in at.markdown if m.proto.help}
    assert helps.get("**:material/target: Accuracy, with error bars**") == help_for("ci")
    assert helps.get("**:material/balance: A paired test**") == help_for("paired test")

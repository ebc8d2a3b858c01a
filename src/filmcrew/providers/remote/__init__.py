"""Remote model vendors (image models now; video and music next), over the one job layer they share
(`jobs`: submit, poll, fetch, verify, journaled so a killed make never pays twice), with prices as data
(`pricing`, `prices/`) and one HTTP function with the shared retry rules (`http`)."""

#pragma once

namespace watchdog {

/// The status page's script for the story of the station, spliced into the page's main script (it
/// uses its helpers el, visible, fetchJson, showBanner): the incident timeline and uptime from
/// /timeline, the chart's time axis over the chosen window, maintenance and acknowledgements, and
/// the Acknowledge and Maintenance… buttons that POST /ack and /maintenance.
extern const char* const statusPageStoryScript;

}  // namespace watchdog

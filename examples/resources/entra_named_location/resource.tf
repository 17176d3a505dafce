# Office egress IPs, trusted: "All trusted locations" in Conditional Access includes them.
resource "entra_named_location" "offices" {
  display_name = "Office egress IPs"
  ip {
    ip_ranges = [
      "203.0.113.0/24",
      "198.51.100.17/32",
      "2001:db8:1200::/48",
    ]
    trusted = true
  }
}

# Countries a sign-in is blocked from. Unknown countries (e.g. anonymous proxies) are included.
resource "entra_named_location" "blocked_countries" {
  display_name = "Blocked countries"
  country {
    countries_and_regions                 = ["KP", "IR"]
    include_unknown_countries_and_regions = true
    country_lookup_method                 = "clientIpAddress"
  }
}

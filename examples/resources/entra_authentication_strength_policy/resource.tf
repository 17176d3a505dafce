# Administrators sign in with a FIDO2 key of an approved model, Windows Hello for Business, or
# a smart card from the corporate CA.
resource "entra_authentication_strength_policy" "admins" {
  display_name = "Administrators: phishing-resistant"
  description  = "Approved FIDO2 keys, Windows Hello for Business or corporate smart cards"
  allowed_combinations = [
    "fido2",
    "windowsHelloForBusiness",
    "x509CertificateMultiFactor",
  ]

  fido2_combination_configuration {
    # AAGUIDs of the security key models the security team approved (from the vendors'
    # metadata).
    allowed_aaguids = [
      "486c3b50-889c-480a-abc5-c04ef7c873e0",
      "c042882f-a621-40c8-94d3-9cde3a826fed",
    ]
  }

  x509_certificate_combination_configuration {
    applies_to_combinations = ["x509CertificateMultiFactor"]
    allowed_issuer_skis     = ["9A4248C6AC8C2931AB2A86537818E92E7B6C97B6"]
  }
}

"""The bottom layer of intake: enums, domain errors, formatting, validators, signing and
the agency's role names. It imports nothing else of intake, so every layer may use it."""

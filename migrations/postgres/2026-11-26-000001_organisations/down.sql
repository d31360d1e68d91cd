DROP TABLE organisation_identifiers;
DROP TABLE organisations;

DROP INDEX requests_forwarded_once;
DROP INDEX requests_direct_once;

-- A supplier gets at most one request per requirement from its customer,
-- and a request is forwarded at most once to each tier-2: the application
-- checks both; these indexes keep concurrent writers honest too.
CREATE UNIQUE INDEX requests_direct_once ON requests (requirement_id, supplier_org_id)
    WHERE parent_request_id IS NULL;
CREATE UNIQUE INDEX requests_forwarded_once ON requests (parent_request_id, supplier_org_id)
    WHERE parent_request_id IS NOT NULL;

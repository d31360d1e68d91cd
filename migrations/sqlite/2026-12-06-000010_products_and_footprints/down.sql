ALTER TABLE webhook_endpoints DROP COLUMN client_id;
ALTER TABLE webhook_endpoints DROP COLUMN token_url;
ALTER TABLE webhook_endpoints DROP COLUMN kind;
DROP TABLE revision_footprints;
DROP TABLE product_footprint_urns;
DROP TABLE product_footprints;
DROP TABLE footprint_drafts;
DROP TABLE product_customer_parts;
DROP TABLE products;

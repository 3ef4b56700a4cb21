-- Whether a start must name a project/account link. Organisations without projects (a
-- restaurant, a shop, a care home) turn it off; every existing organisation keeps requiring them.
ALTER TABLE organisations ADD COLUMN links_required BOOLEAN NOT NULL DEFAULT TRUE;

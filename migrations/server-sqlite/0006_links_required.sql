-- Whether a start must name a project/account link. Organisations without projects (a
-- restaurant, a shop, a care home) turn it off; every existing organisation keeps requiring them.
ALTER TABLE organisations ADD COLUMN links_required INTEGER NOT NULL DEFAULT 1 CHECK (links_required IN (0, 1));

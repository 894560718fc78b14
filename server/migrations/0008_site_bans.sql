-- A site admin can ban an account from the whole server: it cannot sign in, and its
-- sessions and tokens stop working (its tokens work again if it is unbanned).
ALTER TABLE users ADD COLUMN banned INTEGER NOT NULL DEFAULT 0;

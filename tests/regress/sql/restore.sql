-- What pg_dump restores without pg_trickle's catalog: a source table that still carries the
-- capture triggers. Writes to it work (nothing reads it, so nothing is captured), and a new
-- stream table over it takes the triggers over.
CREATE TABLE restored (id int PRIMARY KEY, v int);
CREATE TRIGGER pg_trickle_cdc_ins AFTER INSERT ON restored REFERENCING NEW TABLE AS __pgt_new
    FOR EACH STATEMENT EXECUTE FUNCTION pgtrickle._cdc_capture();
CREATE TRIGGER pg_trickle_cdc_del AFTER DELETE ON restored REFERENCING OLD TABLE AS __pgt_old
    FOR EACH STATEMENT EXECUTE FUNCTION pgtrickle._cdc_capture();
INSERT INTO restored VALUES (1, 10), (2, 20);
DELETE FROM restored WHERE id = 2;
SELECT pgtrickle.create_stream_table('restored_sum', 'SELECT sum(v) AS total, count(*) AS n FROM restored');
SELECT total, n FROM restored_sum;
INSERT INTO restored VALUES (3, 30);
DELETE FROM restored WHERE id = 1;
SELECT pgtrickle.refresh_stream_table('restored_sum');
SELECT total, n FROM restored_sum;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'restored'::regclass ORDER BY tgname;
-- dropping the stream table removes the triggers with the buffer
SELECT pgtrickle.drop_stream_table('restored_sum');
SELECT count(*) AS capture_triggers FROM pg_trigger WHERE tgrelid = 'restored'::regclass;
DROP TABLE restored;

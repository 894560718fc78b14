-- Room events other than messages in a format of the store's own
-- (store/stored_event.rs), no longer the wire's JSON: a short kind, and data naming
-- whom the event is about (`who`, `name`), who did it (`by`) and the role (`role`),
-- or for a deletion the message (`id`) and who deleted it (`by`). The wire may now
-- rename its fields without touching stored rows.
UPDATE room_events
SET data = json_object('id', json_extract(data, '$.id'), 'by', json_extract(data, '$.by')),
    kind = 'deleted'
WHERE kind = 'message_deleted';

UPDATE room_events
SET data = json_patch(
        json_object('who', json_extract(data, '$.user_id'), 'name', json_extract(data, '$.user')),
        json_object('by', json_extract(data, '$.by'), 'role', json_extract(data, '$.role'))),
    kind = CASE kind
        WHEN 'member_joined' THEN 'joined'
        WHEN 'member_left' THEN 'left'
        WHEN 'member_kicked' THEN 'kicked'
        WHEN 'member_banned' THEN 'banned'
        WHEN 'member_unbanned' THEN 'unbanned'
        WHEN 'member_muted' THEN 'muted'
        WHEN 'member_unmuted' THEN 'unmuted'
        WHEN 'role_changed' THEN 'role'
    END
WHERE kind IN ('member_joined', 'member_left', 'member_kicked', 'member_banned',
               'member_unbanned', 'member_muted', 'member_unmuted', 'role_changed');

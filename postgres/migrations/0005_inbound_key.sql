-- Only inbound messages carry their channel's id: the key that recognises a message
-- delivered twice becomes a partial unique index, so that storing a reply (whose id is
-- NULL) writes one index fewer.
CREATE UNIQUE INDEX messages_inbound_key ON messages (channel, channel_message_id) WHERE channel_message_id IS NOT NULL;
ALTER TABLE messages DROP CONSTRAINT messages_channel_channel_message_id_key;

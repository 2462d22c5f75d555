// Package smsbench measures the SMS channel with the real engine: a scripted set of
// conversation turns in Catalan and Spanish (status, my_data, data_usage, for_me, help,
// errors, numbered answers, MÉS) goes through the channel's webhook into dialog.Engine on
// an SQLite store with the demo data, and every reply is rendered as the channel sends it.
// It reports the mean and maximum segments per reply and how many replies had to be
// shortened. It lives apart from package sms so that the channel's own tests do not depend
// on the engine, the store and the classifier.
//
//	go test ./channels/sms/smsbench -run TestReplySegments -v
//	go test ./channels/sms/smsbench -run '^$' -bench ReplySegments -benchtime 3x
package smsbench

// The SMTP/LMTP server and SMTP client live here.

resource "aws_db_instance" "main" {}

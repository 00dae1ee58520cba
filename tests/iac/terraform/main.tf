# The configuration behind plan.json (hand-made: this machine has no terraform binary, so the
# plan was written by hand in Terraform's documented "JSON Output Format", as
# `terraform plan -out plan.out && terraform show -json plan.out` prints it for this file).
resource "aws_api_gateway_rest_api" "shop" {
  name           = "shop"
  api_key_source = "HEADER"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  parent_id   = aws_api_gateway_rest_api.shop.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_resource" "order" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  parent_id   = aws_api_gateway_resource.orders.id
  path_part   = "{orderId}"
}

resource "aws_api_gateway_method" "create" {
  rest_api_id      = aws_api_gateway_rest_api.shop.id
  resource_id      = aws_api_gateway_resource.orders.id
  http_method      = "POST"
  authorization    = "NONE"
  api_key_required = true
}

resource "aws_api_gateway_integration" "create" {
  rest_api_id             = aws_api_gateway_rest_api.shop.id
  resource_id             = aws_api_gateway_resource.orders.id
  http_method             = aws_api_gateway_method.create.http_method
  type                    = "AWS"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.create.invoke_arn
  request_templates = {
    "application/json" = "{\"order\": $input.json('$')}"
  }
}

resource "aws_api_gateway_method_response" "create_201" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  resource_id = aws_api_gateway_resource.orders.id
  http_method = aws_api_gateway_method.create.http_method
  status_code = "201"
}

resource "aws_api_gateway_integration_response" "create_201" {
  rest_api_id = aws_api_gateway_rest_api.shop.id
  resource_id = aws_api_gateway_resource.orders.id
  http_method = aws_api_gateway_method.create.http_method
  status_code = aws_api_gateway_method_response.create_201.status_code
}

resource "aws_api_gateway_integration_response" "create_400" {
  rest_api_id       = aws_api_gateway_rest_api.shop.id
  resource_id       = aws_api_gateway_resource.orders.id
  http_method       = aws_api_gateway_method.create.http_method
  status_code       = "400"
  selection_pattern = ".*InvalidOrder.*"
}

resource "aws_api_gateway_method" "get" {
  rest_api_id   = aws_api_gateway_rest_api.shop.id
  resource_id   = aws_api_gateway_resource.order.id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "get" {
  rest_api_id             = aws_api_gateway_rest_api.shop.id
  resource_id             = aws_api_gateway_resource.order.id
  http_method             = aws_api_gateway_method.get.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.get.invoke_arn
}

resource "aws_lambda_function" "create" {
  function_name = "create-order"
  role          = "arn:aws:iam::123456789012:role/shop-lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "create.zip"
}

resource "aws_lambda_function" "get" {
  function_name = "get-order"
  role          = "arn:aws:iam::123456789012:role/shop-lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "get.zip"
}

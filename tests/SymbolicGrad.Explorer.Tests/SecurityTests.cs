using System.Net;
using System.Text;

namespace SymbolicGrad.Explorer.Tests;

/// <summary>The token, cross-origin refusal and the limits on input.</summary>
[Collection(ExplorerCollection.Name)]
public sealed class SecurityTests(ExplorerServer server)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/app.js")]
    [InlineData("/api/info")]
    [InlineData("/api/status")]
    public async Task Every_request_without_the_token_is_401(string path)
    {
        using var client = server.Client(withToken: false);
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("token", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_post_without_the_token_is_401_and_runs_nothing()
    {
        using var client = server.Client(withToken: false);
        var response = await client.PostAsync("/api/playground", Api.JsonBody("""{"source":"class C {}"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_token_is_401_in_the_query_the_header_and_the_cookie()
    {
        using var client = server.Client(withToken: false);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/?token=" + new string('0', 48))).StatusCode);
        using var header = new HttpRequestMessage(HttpMethod.Get, "/api/info");
        header.Headers.Add("Authorization", "token " + server.Token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(header)).StatusCode);
        using var cookie = new HttpRequestMessage(HttpMethod.Get, "/api/info");
        cookie.Headers.Add("Cookie", $"sgx-token-{server.BaseAddress.Port}={server.Token[..^1]}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(cookie)).StatusCode);
    }

    [Fact]
    public async Task The_token_in_the_query_sets_a_strict_http_only_cookie_and_redirects_without_it()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        var response = await client.GetAsync("/?token=" + server.Token);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        string cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"sgx-token-{server.BaseAddress.Port}={server.Token};", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        // The cookie alone then opens the page.
        using var again = new HttpRequestMessage(HttpMethod.Get, "/");
        again.Headers.Add("Cookie", cookie.Split(';')[0]);
        var page = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("SymbolicGrad Explorer", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task Cross_origin_requests_are_refused_even_with_the_token(string header, string value)
    {
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/point") { Content = Api.JsonBody("""{"landscape":"bowl","point":[1,2]}""") };
        request.Headers.Add(header, value);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Cross-origin", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Same_origin_requests_pass_and_no_cors_header_is_ever_sent()
    {
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/point") { Content = Api.JsonBody("""{"landscape":"bowl","point":[1,2]}""") };
        request.Headers.Add("Origin", server.BaseAddress.GetLeftPart(UriPartial.Authority));
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_foreign_host_header_is_refused_on_a_loopback_server()
    {
        using var client = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/info");
        request.Headers.Host = "attacker.example:" + server.BaseAddress.Port;
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_post_that_is_not_json_is_415_so_a_plain_html_form_cannot_post()
    {
        using var client = server.Client();
        var response = await client.PostAsync("/api/playground", new StringContent("source=x", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_source_over_the_size_limit_is_413_with_a_message()
    {
        using var client = server.Client();
        string source = Api.InClass("// " + new string('x', 40_000));
        var response = await client.PostAsync("/api/playground", Api.JsonBody(System.Text.Json.JsonSerializer.Serialize(new { source })));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 32768", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/playground", "{not json", "not valid JSON")]
    [InlineData("/api/point", """{"landscape":"nowhere","point":[1,2]}""", "Unknown landscape 'nowhere'")]
    [InlineData("/api/point", """{"landscape":"bowl","point":[1]}""", "has 1")]
    [InlineData("/api/point", """{"landscape":"bowl","point":["NaN",1]}""", "non-finite")]
    [InlineData("/api/walk", """{"landscape":"bowl","start":[1,2],"steps":0}""", "steps must be")]
    [InlineData("/api/walk", """{"landscape":"bowl","start":[1,2],"optimizer":{"kind":"sgd9"}}""", "Unknown optimizer 'sgd9'")]
    [InlineData("/api/walk", """{"landscape":"bowl","start":[1,2],"optimizer":{"kind":"adam","learningRate":-1}}""", "learningRate")]
    [InlineData("/api/grid", """{"landscape":"bowl","box":{"x0":1,"x1":0,"y0":0,"y1":1}}""", "x1 > x0")]
    [InlineData("/api/grid", """{"landscape":"bowl","box":{"x0":-1e308,"x1":1e308,"y0":0,"y1":1}}""", "finite width and height")]
    [InlineData("/api/playground", """{"source":null}""", "a 'source' string")]
    [InlineData("/api/playground", """{"source":"class C {}","timeLimitSeconds":1e-300}""", "timeLimitSeconds must be at least 0.5")]
    public async Task Bad_input_is_400_with_a_message_naming_the_problem(string path, string body, string expected)
    {
        using var client = server.Client();
        var response = await client.PostAsync(path, Api.JsonBody(body));
        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_is_served_with_a_strict_content_security_policy()
    {
        using var client = server.Client();
        var response = await client.GetAsync("/");
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
    }
}

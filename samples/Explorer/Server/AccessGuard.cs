using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SymbolicGrad.Explorer.Server;

/// <summary>
/// Token authentication the way Jupyter does it, and refusal of cross-origin requests. Every request needs the token:
/// in the query string (<c>?token=…</c>, which sets a cookie and redirects to the same page without it), the cookie, or
/// an <c>Authorization: token …</c> header. Requests whose <c>Origin</c> is not this server, or whose
/// <c>Sec-Fetch-Site</c> is cross-site or same-site, are refused (403), and so are requests whose Host header is not a
/// loopback name while the server listens on loopback only (DNS rebinding). No CORS headers are ever sent.
/// </summary>
public sealed class AccessGuard
{
    private readonly RequestDelegate _next;
    private readonly byte[] _token;
    private readonly bool _loopbackOnly;

    /// <summary>Creates the middleware.</summary>
    public AccessGuard(RequestDelegate next, ExplorerOptions options)
    {
        _next = next;
        _token = Encoding.UTF8.GetBytes(options.Token);
        _loopbackOnly = !options.BindsBeyondLoopback;
    }

    /// <summary>The cookie that carries the token after the first visit; the port is part of the name because cookies are not per port.</summary>
    public static string CookieName(HttpContext context) =>
        "sgx-token-" + context.Connection.LocalPort.ToString(CultureInfo.InvariantCulture);

    /// <summary>Handles one request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy =
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
            "connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

        if (_loopbackOnly && !IsLoopbackHost(request.Host.Host))
        {
            await Refuse(context, StatusCodes.Status403Forbidden, "This server only answers to 127.0.0.1, localhost or [::1] (the Host header was '" + request.Host.Host + "').");
            return;
        }

        string? crossOrigin = CrossOriginReason(request);
        if (crossOrigin is not null)
        {
            await Refuse(context, StatusCodes.Status403Forbidden, "Cross-origin request refused: " + crossOrigin + ".");
            return;
        }

        string? queryToken = request.Query["token"];
        if (queryToken is not null)
        {
            if (!Matches(queryToken))
            {
                await Refuse(context, StatusCodes.Status401Unauthorized, "Wrong access token. Open the URL the Explorer printed when it started.");
                return;
            }

            context.Response.Cookies.Append(CookieName(context), queryToken, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = request.IsHttps,
                Path = "/",
                IsEssential = true,
            });
            if (HttpMethods.IsGet(request.Method) && !request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                // Drop the token from the address bar and the history, keeping any other query.
                var rest = request.Query.Where(q => q.Key != "token").Select(q => q.Key + "=" + Uri.EscapeDataString(q.Value.ToString()));
                string query = string.Join("&", rest);
                context.Response.Redirect(request.PathBase + request.Path + (query.Length > 0 ? "?" + query : ""));
                return;
            }

            await _next(context);
            return;
        }

        if (Matches(request.Cookies[CookieName(context)]) || Matches(HeaderToken(request)))
        {
            await _next(context);
            return;
        }

        await Refuse(context, StatusCodes.Status401Unauthorized,
            "This Explorer needs its access token. Open the URL it printed when it started (http://127.0.0.1:PORT/?token=…).");
    }

    private static string? HeaderToken(HttpRequest request)
    {
        string? auth = request.Headers.Authorization;
        if (auth is not null)
        {
            foreach (var scheme in new[] { "token ", "Bearer " })
            {
                if (auth.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                {
                    return auth[scheme.Length..].Trim();
                }
            }
        }

        return request.Headers["X-Explorer-Token"];
    }

    private bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);

    /// <summary>Why a request is cross-origin, or null when it is not.</summary>
    private static string? CrossOriginReason(HttpRequest request)
    {
        string? site = request.Headers["Sec-Fetch-Site"];
        if (site is not null && site != "same-origin" && site != "none")
        {
            return "Sec-Fetch-Site is '" + site + "'";
        }

        string? origin = request.Headers.Origin;
        if (origin is not null)
        {
            string self = request.Scheme + "://" + request.Host.Value;
            if (!string.Equals(origin, self, StringComparison.OrdinalIgnoreCase))
            {
                return "the Origin '" + origin + "' is not " + self;
            }
        }

        return null;
    }

    private static bool IsLoopbackHost(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip);
    }

    private static Task Refuse(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            return context.Response.WriteAsJsonAsync(new ApiError(message));
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n");
    }
}

/// <summary>The body of every error answer: one message that says what was wrong.</summary>
/// <param name="Error">The message.</param>
public sealed record ApiError(string Error);

/// <summary>Thrown by request handlers for bad input; answered with 400 (or <see cref="Status"/>) and the message.</summary>
public sealed class BadRequestException(string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
{
    /// <summary>The HTTP status to answer with.</summary>
    public int Status { get; } = status;
}

using System.Globalization;
using System.Security.Cryptography;

namespace SymbolicGrad.Explorer.Server;

/// <summary>The command line of the Explorer server.</summary>
public sealed record ExplorerOptions
{
    /// <summary>The port when none is given: fixed, so the URL stays the same from run to run.</summary>
    public const int DefaultPort = 5199;

    /// <summary>Printed for --help and after a bad argument.</summary>
    public const string Usage = """
        usage: dotnet run --project samples/Explorer [-- options]
          --port N          port on 127.0.0.1 (default 5199; 0 picks a free one)
          --host ADDRESS    bind to another address than 127.0.0.1 (prints a warning: anyone who can reach it and has the token can run code)
          --urls URL[;URL]  Kestrel URLs, e.g. http://0.0.0.0:8080 (same warning)
          --token TOKEN     use this access token instead of a random one (at least 16 characters)
          --workers N       playground worker processes (default 2)
          --timeout S       wall-clock limit of one playground request in seconds (default 5)
          --memory MB       memory limit of a worker in MB (default 768)
        """;

    /// <summary>The URLs Kestrel listens on.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [$"http://127.0.0.1:{DefaultPort}"];

    /// <summary>True when the URLs are not all loopback (a warning is printed).</summary>
    public bool BindsBeyondLoopback { get; init; }

    /// <summary>The access token every request must carry.</summary>
    public string Token { get; init; } = NewToken();

    /// <summary>Worker processes in the playground pool.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Wall-clock limit of one playground job (compile and run).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Memory limit of one worker in MB: its GC heap hard limit, and the working set the server allows before it kills it.</summary>
    public int MemoryMegabytes { get; init; } = 768;

    /// <summary>--help was given.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>A random token: 24 bytes as 48 hex digits, as Jupyter's.</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>Parses the command line.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value, with a message naming it.</exception>
    public static ExplorerOptions Parse(IReadOnlyList<string> args)
    {
        var o = new ExplorerOptions();
        int? port = null;
        string? host = null;
        string? urls = null;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            switch (a)
            {
                case "--help" or "-h":
                    o = o with { ShowHelp = true };
                    break;
                case "--port":
                    port = Int(a, Value(), 0, 65535);
                    break;
                case "--host":
                    host = Value();
                    break;
                case "--urls":
                    urls = Value();
                    break;
                case "--token":
                    string token = Value();
                    if (token.Length < 16)
                    {
                        throw new ArgumentException("--token must be at least 16 characters long.");
                    }

                    o = o with { Token = token };
                    break;
                case "--workers":
                    o = o with { Workers = Int(a, Value(), 1, 32) };
                    break;
                case "--timeout":
                    o = o with { Timeout = TimeSpan.FromSeconds(Int(a, Value(), 1, 600)) };
                    break;
                case "--memory":
                    o = o with { MemoryMegabytes = Int(a, Value(), 256, 65536) };
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{a}'.");
            }
        }

        if (urls is not null && (host is not null || port is not null))
        {
            throw new ArgumentException("--urls cannot be combined with --host or --port.");
        }

        List<string> list;
        if (urls is not null)
        {
            list = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            if (list.Count == 0)
            {
                throw new ArgumentException("--urls is empty.");
            }
        }
        else
        {
            string h = host ?? "127.0.0.1";
            if (h.Contains(':', StringComparison.Ordinal) && !h.StartsWith('['))
            {
                h = "[" + h + "]";
            }

            list = [$"http://{h}:{(port ?? DefaultPort).ToString(CultureInfo.InvariantCulture)}"];
        }

        return o with { Urls = list, BindsBeyondLoopback = !list.All(IsLoopbackUrl) };
    }

    /// <summary>True for http(s) URLs whose host is 127.x.x.x, [::1] or localhost.</summary>
    public static bool IsLoopbackUrl(string url)
    {
        // Kestrel's wildcards (http://*:80, http://+:80) mean every address.
        if (url.Contains("://*", StringComparison.Ordinal) || url.Contains("://+", StringComparison.Ordinal))
        {
            return false;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"'{url}' is not a URL.");
        }

        return uri.IsLoopback;
    }

    private static int Int(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
        {
            throw new ArgumentException($"{name} must be an integer from {min} to {max}, not '{value}'.");
        }

        return v;
    }
}

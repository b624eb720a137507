using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.FileProviders;
using SymbolicGrad.Explorer.Labs;
using SymbolicGrad.Explorer.Landscapes;
using SymbolicGrad.Explorer.Playground;

namespace SymbolicGrad.Explorer.Server;

/// <summary>
/// The thin server: a minimal API whose endpoints call SymbolicGrad (generated gradients, the optimizers) and the
/// playground's worker pool, behind <see cref="AccessGuard"/>, plus the bundled front end.
/// </summary>
public static class ExplorerApp
{
    /// <summary>Starts the server and runs until Ctrl+C.</summary>
    public static async Task<int> RunAsync(ExplorerOptions options)
    {
        string web = Path.Combine(AppContext.BaseDirectory, "web");
        if (!File.Exists(Path.Combine(web, "index.html")))
        {
            Console.Error.WriteLine($"The front end is missing from {web}: build with `dotnet build samples/Explorer` (it runs npm ci and esbuild).");
            return 1;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, WebRootPath = web });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None); // start-up failures are reported below, in a sentence
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 256 * 1024;
        });
        builder.Services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));
        builder.Services.AddSingleton(options);
        await using var pool = new WorkerPool(new PoolOptions(options.Workers, options.Timeout, options.MemoryMegabytes, TimeSpan.FromSeconds(120)));
        builder.Services.AddSingleton(pool);

        var app = builder.Build();
        app.UseMiddleware<AccessGuard>(options);
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(web) });
        MapApi(app, pool, options);

        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"The Explorer could not listen on {string.Join(", ", options.Urls)}: {e.Message}");
            Console.Error.WriteLine("Another program (or another Explorer) may be using the port: pass --port N, or --port 0 for a free one.");
            return 1;
        }

        var addresses = app.Urls.ToList();
        if (options.BindsBeyondLoopback)
        {
            Console.WriteLine("WARNING: the Explorer listens beyond this machine (" + string.Join(", ", addresses) + ").");
            Console.WriteLine("WARNING: anyone who can reach it and has the token can run code on this machine through the playground.");
        }

        Console.WriteLine("SymbolicGrad Explorer is running. Open this URL (it holds the access token):");
        foreach (var address in addresses)
        {
            var display = address.Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal).Replace("://[::]:", "://127.0.0.1:", StringComparison.Ordinal);
            Console.WriteLine($"    {display.TrimEnd('/')}/?token={options.Token}");
        }

        Console.WriteLine($"Playground: {options.Workers} worker processes warming up; limits {options.Timeout.TotalSeconds:0} s and {options.MemoryMegabytes} MB per request. Ctrl+C stops.");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static void MapApi(WebApplication app, WorkerPool pool, ExplorerOptions options)
    {
        var api = app.MapGroup("/api");

        api.MapGet("/info", () => new
        {
            landscapes = LandscapeCatalog.All.Select(l => new
            {
                l.Id, l.Title, l.Description, l.Box, l.Start, l.Minima, l.LearningRate, l.LogScale,
                parameters = l.Function.ParameterNames, derivatives = l.Function.Derivatives, source = l.Source,
            }),
            optimizers = OptimizerSpec.Kinds,
            limits = new { timeoutSeconds = options.Timeout.TotalSeconds, memoryMegabytes = options.MemoryMegabytes, maxSource = PlaygroundRequest.MaxSourceLength, workers = options.Workers },
            example = WorkerMain.WarmupSource,
            regression = new { xs = Regression.Xs, ys = Regression.Ys, slope = Regression.TrueSlope, intercept = Regression.TrueIntercept },
        });

        Post<GridRequest>(api, "/grid", r =>
        {
            var land = LandscapeCatalog.Get(r.Landscape);
            return Grid.Evaluate(land.Function, r.Box ?? land.Box, r.Size ?? 120);
        });

        Post<PointRequest>(api, "/point", r =>
        {
            var f = LandscapeCatalog.Get(r.Landscape).Function;
            Walker.CheckPoint(f, r.Point, "point");
            var g = new double[f.Dimension];
            double value = f.ValueAndGradient(r.Point, g);
            return new { value, gradient = g, derivatives = f.Derivatives };
        });

        Post<WalkRequest>(api, "/walk", r =>
        {
            var f = LandscapeCatalog.Get(r.Landscape).Function;
            return Walker.Run(f, r.Start!, r.Optimizer ?? new OptimizerSpec(), r.Steps ?? 1, r.State);
        });

        Post<RaceRequest>(api, "/race", r =>
        {
            var f = LandscapeCatalog.Get(r.Landscape).Function;
            if (r.Optimizers is not { Length: > 0 and <= 16 })
            {
                throw new ArgumentException("Give from 1 to 16 optimizers.");
            }

            return r.Optimizers.Select(spec => Walker.Run(f, r.Start!, spec, r.Steps ?? 200)).ToArray();
        });

        Post<BatchingRequest>(api, "/batching", r =>
            Lab.Batching(r.Optimizer ?? new OptimizerSpec { Kind = "gd", LearningRate = 0.05 }, r.Epochs ?? 30, r.BatchSize ?? 8, r.Seed ?? 1));

        Post<ValleysRequest>(api, "/valleys", r =>
            Lab.Valleys(r.Start ?? [2.4, 1.5], r.LearningRate ?? 0.05, r.Steps ?? 300, r.Noise ?? 2.0, r.Momentum ?? 0.9, r.Seed ?? 1));

        Post<FinderRequest>(api, "/lrfinder", r =>
            Lab.Finder(r.Optimizer ?? new OptimizerSpec { Kind = "momentum", Momentum = 0.9 }, r.MinRate ?? 1e-5, r.MaxRate ?? 10, r.Steps ?? 100, r.Seed ?? 1));

        Post<CircuitRequest>(api, "/circuit", r => Lab.Circuit(r.X ?? -2, r.Y ?? 5, r.Z ?? -4));

        api.MapPost("/playground", async (HttpContext context) =>
        {
            PlaygroundRequest? request;
            try
            {
                request = await ReadBody<PlaygroundRequest>(context);
            }
            catch (BadRequestException e)
            {
                return Results.Json(new ApiError(e.Message), Json.Options, statusCode: e.Status);
            }

            if (request is null || request.Source is null)
            {
                return Results.Json(new ApiError("'source' is missing: the body must be a JSON object with a 'source' string (the C# file to compile)."), Json.Options, statusCode: 400);
            }

            if (request.Source.Length > PlaygroundRequest.MaxSourceLength)
            {
                return Results.Json(new ApiError($"The source has {request.Source.Length} characters; the playground takes at most {PlaygroundRequest.MaxSourceLength}."),
                    Json.Options, statusCode: StatusCodes.Status413PayloadTooLarge);
            }

            // Out-of-range fields are refused with a message naming them, never replaced by a default or clamped.
            if (request.Problem() is { } problem)
            {
                return Results.Json(new ApiError(problem), Json.Options, statusCode: 400);
            }

            var result = await pool.RunAsync(request, context.RequestAborted);
            // "request": a field that only the worker can check (start's length against the method's parameters); the
            // answer still holds the diagnostics and functions, for the page.
            int status = result.ErrorKind switch
            {
                "busy" => StatusCodes.Status503ServiceUnavailable,
                "request" => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status200OK,
            };
            return Results.Json(result, Json.Options, statusCode: status);
        });

        api.MapGet("/status", () => new
        {
            workers = pool.Running,
            replaced = pool.Replaced,
            warmupMs = pool.WarmupTimes.ToArray(),
            // Each worker: its number, process id, jobs run, and how long its check after the last job took (ms).
            running = pool.Workers.Select(w => new { number = w.Number, pid = w.ProcessId, jobs = w.Jobs, settleMs = w.LastSettleMs }).ToArray(),
        });
    }

    private static void Post<T>(RouteGroupBuilder api, string path, Func<T, object> handler)
        where T : class =>
        api.MapPost(path, async (HttpContext context) =>
        {
            T? body;
            try
            {
                body = await ReadBody<T>(context);
            }
            catch (BadRequestException e)
            {
                return Results.Json(new ApiError(e.Message), Json.Options, statusCode: e.Status);
            }

            if (body is null)
            {
                return Results.Json(new ApiError("The body must be a JSON object."), Json.Options, statusCode: 400);
            }

            try
            {
                var clock = Stopwatch.StartNew();
                var result = handler(body);
                context.Response.Headers["Server-Timing"] = $"compute;dur={clock.Elapsed.TotalMilliseconds:0.0}";
                return Results.Json(result, Json.Options);
            }
            catch (ArgumentException e)
            {
                return Results.Json(new ApiError(e.Message), Json.Options, statusCode: 400);
            }
        });

    private static async Task<T?> ReadBody<T>(HttpContext context)
        where T : class
    {
        if (!context.Request.HasJsonContentType())
        {
            throw new BadRequestException("Send the request as JSON (Content-Type: application/json).", StatusCodes.Status415UnsupportedMediaType);
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, Json.Options, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new BadRequestException("The body is not valid JSON for this request: " + e.Message);
        }
        catch (BadHttpRequestException e)
        {
            throw new BadRequestException(e.Message, e.StatusCode);
        }
    }

    private sealed record GridRequest(string? Landscape, Box? Box, int? Size);

    private sealed record PointRequest(string? Landscape, double[]? Point);

    private sealed record WalkRequest(string? Landscape, double[]? Start, OptimizerSpec? Optimizer, int? Steps, string? State);

    private sealed record RaceRequest(string? Landscape, double[]? Start, OptimizerSpec[]? Optimizers, int? Steps);

    private sealed record BatchingRequest(OptimizerSpec? Optimizer, int? Epochs, int? BatchSize, int? Seed);

    private sealed record ValleysRequest(double[]? Start, double? LearningRate, int? Steps, double? Noise, double? Momentum, int? Seed);

    private sealed record FinderRequest(OptimizerSpec? Optimizer, double? MinRate, double? MaxRate, int? Steps, int? Seed);

    private sealed record CircuitRequest(double? X, double? Y, double? Z);
}

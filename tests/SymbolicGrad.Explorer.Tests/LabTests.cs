using System.Text.Json;

namespace SymbolicGrad.Explorer.Tests;

/// <summary>The built-in labs: numbers from generated gradients and SymbolicGrad.Optimizers, checked against closed forms.</summary>
[Collection(ExplorerCollection.Name)]
public sealed class LabTests(ExplorerServer server)
{
    [Fact]
    public async Task The_point_endpoint_gives_the_value_and_gradient_of_the_bowl()
    {
        using var client = server.Client();
        var r = await client.PostJson("/api/point", new { landscape = "bowl", point = new[] { 1.0, -2.0 } });
        Assert.Equal(5.0, r.GetProperty("value").GetDouble());
        Assert.Equal([2.0, -4.0], r.GetProperty("gradient").Doubles());
    }

    [Fact]
    public async Task Rosenbrock_gradient_is_the_closed_form()
    {
        using var client = server.Client();
        double x = -1.5, y = 2;
        var r = await client.PostJson("/api/point", new { landscape = "rosenbrock", point = new[] { x, y } });
        var g = r.GetProperty("gradient").Doubles();
        Assert.Equal(-2 * (1 - x) - 400 * x * (y - x * x), g[0], 9);
        Assert.Equal(200 * (y - x * x), g[1], 9);
    }

    [Fact]
    public async Task A_gradient_descent_step_is_x_minus_lr_times_the_gradient_and_continues_from_its_state()
    {
        using var client = server.Client();
        var w = await client.PostJson("/api/walk", new { landscape = "bowl", start = new[] { 1.0, 2.0 }, steps = 1, optimizer = new { kind = "gd", learningRate = 0.1 } });
        var p = w.GetProperty("points")[1].Doubles();
        Assert.Equal(1 - 0.1 * 2 * 1, p[0], 14);
        Assert.Equal(2 - 0.1 * 2 * 2, p[1], 14);

        // Momentum across two requests (state carried by the page) equals two steps in one request.
        var spec = new { kind = "momentum", learningRate = 0.1, momentum = 0.9 };
        var first = await client.PostJson("/api/walk", new { landscape = "bowl", start = new[] { 1.0, 2.0 }, steps = 1, optimizer = spec });
        var second = await client.PostJson("/api/walk", new { landscape = "bowl", start = first.GetProperty("points")[1].Doubles(), steps = 1, optimizer = spec, state = first.GetProperty("state").GetString() });
        var both = await client.PostJson("/api/walk", new { landscape = "bowl", start = new[] { 1.0, 2.0 }, steps = 2, optimizer = spec });
        Assert.Equal(both.GetProperty("points")[2].Doubles(), second.GetProperty("points")[1].Doubles());
        // And by hand: b1 = g0, x1 = x0 − lr·g0; b2 = μ·b1 + g1, x2 = x1 − lr·b2 (PyTorch's SGD).
        double x0 = 1, g0 = 2 * x0, x1 = x0 - 0.1 * g0, g1 = 2 * x1, x2 = x1 - 0.1 * (0.9 * g0 + g1);
        Assert.Equal(x2, both.GetProperty("points")[2][0].GetDouble(), 14);
    }

    [Fact]
    public async Task The_race_walks_every_optimizer_and_too_large_a_rate_diverges()
    {
        using var client = server.Client();
        var kinds = new[] { "gd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "radam", "lion", "lbfgs" };
        var walks = await client.PostJson("/api/race", new { landscape = "bowl", start = new[] { 2.5, 2.0 }, steps = 200, optimizers = kinds.Select(k => new { kind = k }).ToArray() });
        Assert.Equal(kinds.Length, walks.GetArrayLength());
        foreach (var w in walks.EnumerateArray())
        {
            var values = w.GetProperty("values").Doubles();
            Assert.True(values[^1] < values[0], w.GetProperty("label").GetString());
        }

        // On f = x² + y² (curvature 2) gradient descent diverges for lr > 1.
        var fast = await client.PostJson("/api/race", new { landscape = "bowl", start = new[] { 2.5, 2.0 }, steps = 200, optimizers = new[] { new { kind = "gd", learningRate = 1.05 }, new { kind = "gd", learningRate = 0.95 } } });
        Assert.Equal("diverged", fast[0].GetProperty("stop").GetString());
        Assert.NotEqual("diverged", fast[1].GetProperty("stop").GetString());
    }

    [Fact]
    public async Task Batching_takes_one_step_per_batch_and_sees_every_example_once_per_epoch()
    {
        using var client = server.Client();
        var runs = await client.PostJson("/api/batching", new { optimizer = new { kind = "gd", learningRate = 0.05 }, batchSize = 8, epochs = 10, seed = 3 });
        Assert.Equal(3, runs.GetArrayLength());
        long[] expectedSteps = [10, 10 * 8, 10 * 64];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(expectedSteps[i], runs[i].GetProperty("steps").GetInt64());
            Assert.Equal(expectedSteps[i], runs[i].GetProperty("stepLosses").GetArrayLength());
            Assert.Equal(10 * 64 + 64, runs[i].GetProperty("gradientEvaluations").GetInt64()); // plus the final full pass
            var epochs = runs[i].GetProperty("epochLosses").Doubles();
            Assert.True(epochs[^1] < epochs[0]);
        }

        // SGD after 10 epochs is close to the least-squares line, computed here in closed form.
        var info = await client.GetFromJsonAsyncElement("/api/info");
        var xs = info.GetProperty("regression").GetProperty("xs").Doubles();
        var ys = info.GetProperty("regression").GetProperty("ys").Doubles();
        double mx = xs.Average(), my = ys.Average();
        double slope = xs.Zip(ys, (x, y) => (x - mx) * (y - my)).Sum() / xs.Sum(x => (x - mx) * (x - mx));
        double intercept = my - slope * mx;
        var sgd = runs[2].GetProperty("parameters").Doubles();
        Assert.Equal(slope, sgd[0], 0.2);
        Assert.Equal(intercept, sgd[1], 0.2);
    }

    [Fact]
    public async Task Plain_descent_stays_in_the_shallow_valley_and_the_escapes_find_the_deep_one()
    {
        using var client = server.Client();
        var r = await client.PostJson("/api/valleys", new { start = new[] { 2.4, 1.5 }, learningRate = 0.05, steps = 300, noise = 3.0, momentum = 0.9, seed = 1 });
        var walks = r.GetProperty("walks");
        double End(int i) => walks[i].GetProperty("points").EnumerateArray().Last()[0].GetDouble();
        Assert.True(End(0) > 0, "plain gradient descent should stop in the shallow valley on the right");
        Assert.True(End(2) < 0, "momentum 0.9 should carry the walker over the ridge");
        Assert.True(End(3) < 0, "big steps first should jump the ridge");
        var best = r.GetProperty("multiStart").EnumerateArray().Single(m => m.GetProperty("best").GetBoolean());
        Assert.True(best.GetProperty("end")[0].GetDouble() < 0);
        // The deep minimum solves f'(x) = x³ − 2.25x + 0.6 = 0 (y = 0): Newton's method on the cubic from −1.6.
        double root = -1.6;
        for (int i = 0; i < 50; i++)
        {
            root -= (root * root * root - 2.25 * root + 0.6) / (3 * root * root - 2.25);
        }

        Assert.Equal(root, best.GetProperty("end")[0].GetDouble(), 3);
        Assert.True(best.GetProperty("loss").GetDouble() < walks[0].GetProperty("values").EnumerateArray().Last().GetDouble());
    }

    [Fact]
    public async Task The_learning_rate_finder_finds_an_explosion_above_its_suggestions()
    {
        using var client = server.Client();
        var r = await client.PostJson("/api/lrfinder", new { minRate = 1e-5, maxRate = 10, steps = 100 });
        var f = r.GetProperty("finder");
        double explosion = f.GetProperty("explosionLearningRate").GetDouble();
        Assert.True(f.GetProperty("steepestLearningRate").GetDouble() < explosion);
        Assert.Equal(explosion / 10, f.GetProperty("decadeBelowExplosion").GetDouble(), 12);
        Assert.Equal(3, r.GetProperty("trials").GetArrayLength());
    }

    [Fact]
    public async Task The_circuit_backward_pass_gate_by_gate_equals_the_whole_generated_gradient()
    {
        using var client = server.Client();
        var r = await client.PostJson("/api/circuit", new { x = -2.0, y = 5.0, z = -4.0 });
        Assert.Equal(3.0, r.GetProperty("q").GetDouble());
        Assert.Equal(-12.0, r.GetProperty("f").GetDouble());
        Assert.Equal(-4.0, r.GetProperty("dfDx").GetDouble());
        Assert.Equal(-4.0, r.GetProperty("dfDy").GetDouble());
        Assert.Equal(3.0, r.GetProperty("dfDz").GetDouble());
        Assert.Equal([-4.0, -4.0, 3.0], r.GetProperty("whole").Doubles());
    }
}

internal static class JsonClientExtensions
{
    public static async Task<JsonElement> GetFromJsonAsyncElement(this HttpClient client, string path) =>
        JsonDocument.Parse(await client.GetStringAsync(path)).RootElement;
}

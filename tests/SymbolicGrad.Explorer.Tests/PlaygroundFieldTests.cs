using System.Net;
using System.Text.Json;

namespace SymbolicGrad.Explorer.Tests;

/// <summary>
/// Playground fields out of their range are refused with a 400 whose message names the field and its range: a red-team
/// found a NaN or wrong-length start silently replaced by the default start, gridSize 1e6 and steps 1e9 silently
/// clamped, and a body without 'source' answered 200 "No [Differentiable] method found".
/// </summary>
[Collection(ExplorerCollection.Name)]
public sealed class PlaygroundFieldTests(ExplorerServer server)
{
    private static string Class(string name, string members, string loss = "x * x + y * y") =>
        "using System;\nusing SymbolicGrad;\n\npublic static partial class " + name + "\n{\n" + members +
        "\n    [Differentiable]\n    public static double Loss(double x, double y) => " + loss + ";\n}\n";

    // (field, its JSON value, what the 400 must say); a field of "" sends the value as the whole body.
    public static TheoryData<string, string, string> BadFields => new()
    {
        { "", "{}", "'source' is missing" },
        { "", """{"gridSize":90}""", "'source' is missing" },
        { "start", """["NaN",1]""", "start[0] is NaN" },
        { "start", """[1,"Infinity"]""", "start[1] is Infinity" },
        { "start", "[]", "start is empty" },
        { "start", "[1,2,3]", "start has 3 values but Loss has 2 parameters (x, y)" },
        { "start", "[1]", "start has 1 value but Loss has 2 parameters" },
        { "gridSize", "1e6", "gridSize must be a whole number from 2 to 200 (points a side of the map), not 1000000" },
        { "gridSize", "1", "gridSize must be a whole number from 2 to 200" },
        { "gridSize", "20.5", "not 20.5" },
        { "steps", "1e9", "steps must be a whole number from 1 to 1000 in the playground, not 1000000000" },
        { "steps", "0", "steps must be a whole number from 1 to 1000" },
        { "arrayLength", "65", "arrayLength must be a whole number from 1 to 64, not 65" },
        { "optimizers", "[ADAMS]", "optimizers has 13 entries; the playground walks from 1 to 12" },
        { "optimizers", """[{"kind":"sgd9"}]""", "optimizers[0]: Unknown optimizer 'sgd9'" },
        { "optimizers", """[{"kind":"adam","learningRate":-1}]""", "optimizers[0]: learningRate" },
        { "box", """{"x0":1,"x1":0,"y0":0,"y1":1}""", "box: The box must be finite with x1 > x0" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task A_field_out_of_its_range_is_a_400_naming_it(string field, string value, string expected)
    {
        using var client = server.Client();
        string source = JsonSerializer.Serialize(Class("Fields", "", "(x - 1) * (x - 1) + 2 * y * y"));
        string body = field.Length == 0 ? value : $"{{\"source\":{source},\"{field}\":{value.Replace("ADAMS", Adams, StringComparison.Ordinal)}}}";
        var response = await client.PostAsync("/api/playground", Api.JsonBody(body));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} for {field}: {value}: {text[..Math.Min(400, text.Length)]}");
        string error = JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!;
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    private static readonly string Adams = string.Join(",", Enumerable.Repeat("""{"kind":"adam"}""", 13));

    [Fact]
    public async Task Fields_in_range_are_used_as_given()
    {
        using var client = server.Client();
        var r = await client.Playground(Class("Fields", "", "(x - 1) * (x - 1) + 2 * y * y"),
            new { start = new[] { 0.25, -0.5 }, gridSize = 200, steps = 1000, optimizers = new[] { new { kind = "gd", learningRate = 0.1 } } });
        Assert.True(r.GetProperty("ok").GetBoolean(), Api.Describe(r));
        Assert.Equal([0.25, -0.5], r.GetProperty("start").Doubles());
        Assert.Equal(200, r.GetProperty("landscape").GetProperty("x").GetArrayLength());
        var walk = Assert.Single(r.GetProperty("walks").EnumerateArray());
        Assert.Equal([0.25, -0.5], walk.GetProperty("points")[0].Doubles());
    }
}

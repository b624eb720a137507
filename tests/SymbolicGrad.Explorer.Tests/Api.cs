using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SymbolicGrad.Explorer.Tests;

/// <summary>Small helpers for the API tests.</summary>
internal static class Api
{
    public static async Task<JsonElement> PostJson(this HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    public static Task<JsonElement> Playground(this HttpClient client, string source, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["source"] = source };
        if (extra is not null)
        {
            foreach (var p in extra.GetType().GetProperties())
            {
                body[p.Name] = p.GetValue(extra);
            }
        }

        return client.PostJson("/api/playground", body);
    }

    public static string InClass(string members) =>
        "using System;\nusing SymbolicGrad;\n\npublic static partial class P\n{\n" + members + "\n}\n";

    public static double[] Doubles(this JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static string Describe(JsonElement result) =>
        result.TryGetProperty("error", out var e) ? e.GetString() ?? "" : string.Join("\n", result.GetProperty("diagnostics").EnumerateArray().Select(d => d.ToString()));

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");
}

using SymbolicGrad.Explorer.Playground;
using SymbolicGrad.Explorer.Server;

// `Explorer worker` is the worker process of the playground (started by the server, one per pool slot);
// anything else starts the server.
if (args.Length > 0 && args[0] == WorkerMain.Argument)
{
    return WorkerMain.Run();
}

ExplorerOptions options;
try
{
    options = ExplorerOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(ExplorerOptions.Usage);
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(ExplorerOptions.Usage);
    return 0;
}

return await ExplorerApp.RunAsync(options);

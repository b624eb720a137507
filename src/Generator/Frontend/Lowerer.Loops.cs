using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>Loops: for, while, do, foreach, and the loops desugaring makes (LINQ, array copies).</summary>
internal sealed partial class Lowerer
{
    private Flow LowerLoop(ILoopOperation loop)
    {
        var (needsFlags, returns) = ScanJumps(loop.Body, loop.ExitLabel, loop.ContinueLabel);
        string source = LoopSource(loop);
        BindAssignedInTheLoop(loop);
        switch (loop)
        {
            case IForLoopOperation f:
                foreach (var before in f.Before)
                {
                    LowerStatement(before);
                }

                if (f.Condition is not null && AssignsVariables(f.Condition))
                {
                    return EmitLoop(source, true, returns, f.ExitLabel, f.ContinueLabel, null, () => ConditionInBody(f.Condition, f.Body), f.AtLoopBottom.Length == 0 ? null : () =>
                    {
                        foreach (var step in f.AtLoopBottom)
                        {
                            LowerStatement(step);
                        }
                    }, loop);
                }

                return EmitLoop(
                    source,
                    needsFlags,
                    returns,
                    f.ExitLabel,
                    f.ContinueLabel,
                    f.Condition is null ? null : () => LowerCondition(f.Condition),
                    () => LowerList(Statements(f.Body), 0),
                    f.AtLoopBottom.Length == 0 ? null : () =>
                    {
                        foreach (var step in f.AtLoopBottom)
                        {
                            LowerStatement(step);
                        }
                    },
                    loop);
            case IWhileLoopOperation w when w.ConditionIsTop && !w.ConditionIsUntil && w.Condition is not null && AssignsVariables(w.Condition):
                return EmitLoop(source, true, returns, w.ExitLabel, w.ContinueLabel, null, () => ConditionInBody(w.Condition, w.Body), null, loop);
            case IWhileLoopOperation w when w.ConditionIsTop && !w.ConditionIsUntil:
                return EmitLoop(source, needsFlags, returns, w.ExitLabel, w.ContinueLabel, w.Condition is null ? null : () => LowerCondition(w.Condition!), () => LowerList(Statements(w.Body), 0), null, loop);
            case IWhileLoopOperation w when !w.ConditionIsTop && !w.ConditionIsUntil:
                // do B while (C)  →  while (!stop) { B; if (!stop) stop = !C; }
                return EmitLoop(source, true, returns, w.ExitLabel, w.ContinueLabel, null, () => LowerList(Statements(w.Body), 0), () =>
                {
                    var c = w.Condition is null ? Lit.True : LowerCondition(w.Condition);
                    var stop = CurrentLoop!.Break!;
                    Bind(stop, new Scalar(Emit(Opcode.Not, IrType.Bool, new[] { c })));
                }, loop);
            case IForEachLoopOperation fe:
                return LowerForEach(fe, source, needsFlags, returns);
            default:
                Report(DiagnosticDescriptors.UnsupportedStatement, FirstToken(loop), "This kind of loop", "use for, foreach, while or do");
                return Flow.Normal;
        }
    }

    /// <summary>
    /// A variable declared before a loop without a value, assigned in the loop and read after it (double w; do { w = ...; }
    /// while (c); return w; or the same with while (true) { ...; break; } or for (;;)): C# knows the body assigned it when
    /// the loop ends, but a loop carries only the variables that have a value when it starts, so the read after the loop
    /// found none (SG9999). Such a variable starts as its type's zero, which no path reads.
    /// </summary>
    private void BindAssignedInTheLoop(ILoopOperation loop)
    {
        if (loop.SemanticModel is not { } model || loop.Syntax is not StatementSyntax statement)
        {
            return;
        }

        DataFlowAnalysis? flow;
        try
        {
            flow = model.AnalyzeDataFlow(statement);
        }
        catch (ArgumentException)
        {
            return;
        }

        if (flow is not { Succeeded: true })
        {
            return;
        }

        foreach (var local in flow.DataFlowsOut.OfType<ILocalSymbol>().OrderBy(l => l.Name, StringComparer.Ordinal))
        {
            if (local.RefKind == RefKind.None && _env.Get(local) is null && !local.DeclaringSyntaxReferences.Any(d => statement.Span.Contains(d.Span)))
            {
                Bind(local, ZeroOf(local.Type, loop));
            }
        }
    }

    /// <summary>
    /// Does a loop condition change a variable (while (k-- > 0), while ((i += 2) &lt; n)), or create an array (a helper
    /// called with new[] { 0.5 }, LINQ over a copy u[..])? Such a condition is evaluated in the body, since the loop's
    /// header only compares. A pattern that declares a variable (w[i] is var e, v is > 0 and var z, p is { X: var a })
    /// assigns it too: the body reads it, so its derivative must flow back through the condition, which the header does
    /// not carry (red-team: with &amp;&amp; or a jump in the body the derivative was dropped).
    /// </summary>
    private static bool AssignsVariables(IOperation condition) =>
        condition.DescendantsAndSelf().Any(d => d is IIncrementOrDecrementOperation or IAssignmentOperation or IDeclarationExpressionOperation
            or IArrayCreationOperation or ICollectionExpressionOperation or IRangeOperation
            or IDeclarationPatternOperation { DeclaredSymbol: not null } or IRecursivePatternOperation { DeclaredSymbol: not null }
            or IListPatternOperation { DeclaredSymbol: not null });

    /// <summary>
    /// A condition that changes variables is evaluated at the top of the body, once per iteration as C# does:
    /// while (C) B  →  while (!stop) { if (C) B else stop = true; } (the header itself only reads the flag).
    /// </summary>
    private Flow ConditionInBody(IOperation condition, IOperation body)
    {
        var frame = CurrentLoop!;
        var c = LowerCondition(condition);
        EmitIf(c, () => LowerList(Statements(body), 0), () =>
        {
            Bind(frame.Break!, new Scalar(Lit.True));
            return Flow.Normal;
        });
        return Flow.Normal;
    }

    private Frame? CurrentLoop
    {
        get
        {
            for (int i = _frames.Count - 1; i >= 0; i--)
            {
                if (_frames[i].Kind == FrameKind.Loop)
                {
                    return _frames[i];
                }

                if (_frames[i].Kind == FrameKind.Function)
                {
                    return null;
                }
            }

            return null;
        }
    }

    private static string LoopSource(ILoopOperation loop)
    {
        var syntax = loop.Syntax;
        string text = syntax switch
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.ForStatementSyntax f => "for (" + f.Declaration + f.Initializers + "; " + f.Condition + "; " + f.Incrementors + ")",
            Microsoft.CodeAnalysis.CSharp.Syntax.ForEachStatementSyntax fe => "foreach (" + fe.Type + " " + fe.Identifier + " in " + fe.Expression + ")",
            Microsoft.CodeAnalysis.CSharp.Syntax.ForEachVariableStatementSyntax fv => "foreach (" + fv.Variable + " in " + fv.Expression + ")",
            Microsoft.CodeAnalysis.CSharp.Syntax.WhileStatementSyntax w => "while (" + w.Condition + ")",
            Microsoft.CodeAnalysis.CSharp.Syntax.DoStatementSyntax d => "do ... while (" + d.Condition + ")",
            _ => "loop",
        };
        return Collapse(text);
    }

    private static string Collapse(string text)
    {
        var sb = new System.Text.StringBuilder();
        bool space = false;
        foreach (char ch in text)
        {
            if (char.IsWhiteSpace(ch))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(ch);
        }

        var s = sb.ToString();
        return s.Length <= 100 ? s : s.Substring(0, 97) + "...";
    }

    /// <summary>Does the body break or continue this loop, or return (then every enclosing loop is left too)?</summary>
    private static (bool NeedsFlags, bool Returns) ScanJumps(IOperation body, ILabelSymbol? exit, ILabelSymbol? @continue)
    {
        bool flags = false;
        bool returns = false;
        foreach (var d in DescendantsInBody(body))
        {
            switch (d)
            {
                case IReturnOperation:
                    flags = true;
                    returns = true;
                    break;
                case IBranchOperation b when SymbolEqualityComparer.Default.Equals(b.Target, exit) || SymbolEqualityComparer.Default.Equals(b.Target, @continue):
                    flags = true;
                    break;
            }
        }

        return (flags, returns);
    }

    /// <summary>
    /// Emits a loop. Every variable in the environment is carried as a loop variable while the body is lowered;
    /// those the body does not change are then replaced by their value before the loop.
    /// </summary>
    private Flow EmitLoop(
        string source,
        bool needsFlags,
        bool returns,
        ILabelSymbol? exitLabel,
        ILabelSymbol? continueLabel,
        Func<Operand>? lowerCondition,
        Func<Flow> lowerBody,
        Action? lowerStep,
        IOperation at)
    {
        if (!Enter(at))
        {
            return Flow.Normal;
        }

        var frame = new Frame(FrameKind.Loop) { ExitLabel = exitLabel, ContinueLabel = continueLabel };
        if (needsFlags)
        {
            frame.Skip = new SyntheticKey("skip");
            frame.Break = new SyntheticKey("stop");
            Bind(frame.Break, new Scalar(Lit.False));
        }

        var loop = new Loop { Source = source, At = HeaderOf(at.Syntax), SumKernel = _nextSumKernel };
        _nextSumKernel = null;
        var carried = new List<(object Key, FValue Template)>();
        var before = _env;
        var inLoop = new Env();
        var written = WrittenInside(at);
        foreach (var key in before.Keys)
        {
            var value = before.Get(key)!;
            if (value is Scalar { Operand: Lit { Text: "this" } } && key is ISymbol symbol && written is not null && !written.Contains(symbol))
            {
                // var self = this; or a helper's parameter m bound to this, not assigned in the loop: still this in every
                // iteration, so that self.B and m.W read the model's members (carried, it was an unknown object, and the
                // read threw that it is this model; red-team, stop 32).
                inLoop.Set(key, value);
                continue;
            }

            inLoop.Set(key, Carry(value, KeyName(key), loop.Vars));
            carried.Add((key, value));
        }

        _frames.Add(frame);
        _env = inLoop;
        var envAtStart = _env.Copy();
        try
        {
            // The header: only the condition.
            InBlock(loop.Header, () =>
            {
                Operand cond;
                if (frame.Break is null)
                {
                    cond = lowerCondition?.Invoke() ?? Lit.True;
                }
                else
                {
                    var stop = ((Scalar)_env.Get(frame.Break)!).Operand;
                    var go = Emit(Opcode.Not, IrType.Bool, new[] { stop });
                    if (lowerCondition is null)
                    {
                        cond = go;
                    }
                    else
                    {
                        // Evaluate the condition only when the loop was not left (it may index past the end).
                        var key = new SyntheticKey("go");
                        EmitIf(go, () =>
                        {
                            Bind(key, new Scalar(lowerCondition()));
                            return Flow.Normal;
                        }, () =>
                        {
                            Bind(key, new Scalar(Lit.False));
                            return Flow.Normal;
                        });
                        cond = ((Scalar)_env.Get(key)!).Operand;
                        _env.Remove(key);
                    }
                }

                loop.Cond = cond;
            });

            CheckHeader(loop, envAtStart, at);

            // The body, then the step (skipped after a break).
            InBlock(loop.Body, () =>
            {
                if (frame.Skip is not null)
                {
                    Bind(frame.Skip, new Scalar(Lit.False));
                }

                lowerBody();
                _env.Dead = false;
                if (lowerStep is not null)
                {
                    if (frame.Break is not null)
                    {
                        var stop = ((Scalar)_env.Get(frame.Break)!).Operand;
                        var go = Emit(Opcode.Not, IrType.Bool, new[] { stop });
                        EmitIf(go, () =>
                        {
                            lowerStep();
                            return Flow.Normal;
                        }, () => Flow.Normal);
                    }
                    else
                    {
                        lowerStep();
                    }
                }
            });

            // Each loop variable's value for the next iteration.
            int k = 0;
            foreach (var (key, _) in carried)
            {
                var start = envAtStart.Get(key)!;
                var end = _env.Get(key) ?? start;
                SetNexts(start, end, loop.Vars, ref k);
                RefuseRebindingInLoop(key, start, end, at);
            }
        }
        finally
        {
            _frames.RemoveAt(_frames.Count - 1);
            Leave();
        }

        // Loop variables the body leaves unchanged are not loop variables: use their value from before the loop.
        var pruned = new Dictionary<Var, Operand>();
        foreach (var lv in loop.Vars)
        {
            if (ReferenceEquals(lv.Next, lv.Var))
            {
                pruned[lv.Var] = lv.Init;
                Replaced[lv.Var] = lv.Init;
            }
        }

        loop.Vars.RemoveAll(lv => pruned.ContainsKey(lv.Var));
        if (pruned.Count > 0)
        {
            IrWalk.Substitute(loop.Header, pruned);
            IrWalk.Substitute(loop.Body, pruned);
            foreach (var lv in loop.Vars)
            {
                if (lv.Next is Var nv && pruned.TryGetValue(nv, out var replacement))
                {
                    lv.Next = replacement;
                }
            }

            if (loop.Cond is Var cv && pruned.TryGetValue(cv, out var c))
            {
                loop.Cond = c;
            }
        }

        // After the loop, every variable holds its loop variable's final value.
        var after = new Env();
        foreach (var (key, _) in carried)
        {
            var start = envAtStart.Get(key)!;
            after.Set(key, Resolve(start, pruned));
        }

        if (frame.Break is not null)
        {
            after.Remove(frame.Break);
        }

        _env = after;
        HoistHeader(loop);
        loop.Counted = DetectCounted(loop) ?? CountByInvariantStep(loop);
        _block.Add(loop);
        return returns ? Flow.May : Flow.Normal;
    }

    /// <summary>The same shape of value with every scalar replaced by a fresh loop variable.</summary>
    /// <summary>The locals and parameters a loop statement assigns (or takes by ref or out), or null when that is not known.</summary>
    private static readonly HashSet<string> BufferingOperators = new(StringComparer.Ordinal)
    {
        "SelectMany", "Where", "Skip", "Take", "Reverse", "Index", "Concat", "Zip", "OrderBy", "OrderByDescending", "Order", "OrderDescending",
    };

    /// <summary>
    /// For a foreach over a query the generated code may read through an array of its elements (made before the loop):
    /// the first operation of the body that assigns a variable the query's syntax names, or writes anything but a plain
    /// local or parameter (an element, a field, a property), passes a ref or out argument, or hands a call an array or
    /// object (which it may change); null when there is none, or when the query has no such operator. Conservative: a
    /// body that only accumulates into locals passes.
    /// </summary>
    private static IOperation? ChangesQueryInputs(IForEachLoopOperation fe)
    {
        if (fe.SemanticModel is not { } model)
        {
            return null;
        }

        var collection = fe.Collection.Syntax;
        bool buffered = collection.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().Any(i =>
            i.Expression is MemberAccessExpressionSyntax { Name.Identifier.Text: var name } && BufferingOperators.Contains(name)
            && model.GetSymbolInfo(i).Symbol is IMethodSymbol { ContainingType: var owner } && owner?.ToDisplayString() == "System.Linq.Enumerable");
        if (!buffered)
        {
            return null;
        }

        var read = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var id in collection.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            if (model.GetSymbolInfo(id).Symbol is { Kind: SymbolKind.Local or SymbolKind.Parameter or SymbolKind.Field or SymbolKind.Property } symbol)
            {
                read.Add(symbol);
            }
        }

        static bool MayChange(ITypeSymbol? t) => t is not null && (t is IArrayTypeSymbol || TypeMap.IsSpan(t) || (t.IsReferenceType && t.SpecialType != SpecialType.System_String));

        // An array the body creates in each iteration (var logits = new double[n]; logits[c] = ...) is not the query's.
        var body = fe.Body.Syntax.Span;
        bool FreshLocal(IOperation array) => array is ILocalReferenceOperation { Local: var local }
            && local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: var init } declarator
            && body.Contains(declarator.Span) && init is ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax or StackAllocArrayCreationExpressionSyntax or CollectionExpressionSyntax;
        bool Changes(IOperation target) => target switch
        {
            ILocalReferenceOperation l => read.Contains(l.Local),
            IParameterReferenceOperation p => read.Contains(p.Parameter),
            IDiscardOperation => false,
            ITupleOperation t => t.Elements.Any(Changes),
            IDeclarationExpressionOperation => false,
            IArrayElementReferenceOperation e when FreshLocal(e.ArrayReference) => false,
            _ => true,
        };

        // A call that may write what it is given: any method outside System's namespaces, or one of System's that writes.
        static bool Writes(IMethodSymbol method) =>
            method.Name is "Copy" or "CopyTo" or "Clear" or "Fill" or "Reverse" or "Sort" or "Resize" or "Add" or "AddRange" or "Insert"
                or "Remove" or "RemoveAt" or "RemoveAll" or "SetValue" or "Push" or "Pop" or "Enqueue" or "Dequeue" or "Swap" or "TryAdd" or "Set"
            || !(method.ContainingNamespace?.ToDisplayString() is { } ns && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal)));

        foreach (var op in fe.Body.Descendants())
        {
            switch (op)
            {
                case IAssignmentOperation a when Changes(a.Target):
                    return op;
                case IIncrementOrDecrementOperation i when Changes(i.Target):
                    return op;
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out }:
                    return op;
                case IInvocationOperation inv when Writes(inv.TargetMethod) && (inv.Arguments.Any(x => MayChange(x.Value.Type)) || (inv.Instance is { } receiver && MayChange(receiver.Type))):
                    return op;
            }
        }

        return null;
    }

    private static HashSet<ISymbol>? WrittenInside(IOperation loop)
    {
        if (loop.SemanticModel is not { } model || loop.Syntax is not StatementSyntax statement)
        {
            return null;
        }

        try
        {
            var flow = model.AnalyzeDataFlow(statement);
            return flow is { Succeeded: true } ? new HashSet<ISymbol>(flow.WrittenInside.Concat(flow.Captured), SymbolEqualityComparer.Default) : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private FValue Carry(FValue value, string name, List<LoopVar> vars)
    {
        switch (value)
        {
            case Scalar s when s.Operand is not Poison:
                var v = Ir.NewVar(name, s.Operand.Type, VarRole.Local, mutable: true);
                vars.Add(new LoopVar(v, s.Operand, v));
                return new Scalar(v);
            case StructValue sv:
                var values = new FValue[sv.Values.Length];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = Carry(sv.Values[i], name + "_" + TypeMap.FieldDisplayName(sv.Fields[i]), vars);
                }

                return new StructValue(sv.Type, sv.Fields, values);
            case TupleValue tv:
                var items = new FValue[tv.Items.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    items[i] = Carry(tv.Items[i], name + "_" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), vars);
                }

                return new TupleValue(items);
            case TupleArrayValue ta:
                return new TupleArrayValue(Carry(ta.Components, name, vars));
            case NullableValue nv:
                var has = (Scalar)Carry(new Scalar(nv.HasValue), name + "_has", vars);
                return new NullableValue(has.Operand, Carry(nv.Value, name, vars));
            default:
                return value;
        }
    }

    /// <summary>
    /// A ref local or a delegate local that the body points somewhere else (r = ref h[i]; f = v => v * v;) is not a value
    /// a loop variable can carry: the next iteration would still see the first place or lambda, a silently wrong value.
    /// Refused at the assignment that re-points it.
    /// </summary>
    private void RefuseRebindingInLoop(object key, FValue start, FValue end, IOperation loop)
    {
        if (key is not ISymbol symbol || Rebound(start, end) is not { } rebound)
        {
            return;
        }

        var at = symbol is ILocalSymbol local && _rebinds.TryGetValue(local, out var assignment) ? assignment : loop;
        switch (rebound)
        {
            case RefValue:
                NotYet(at, "A ref local re-pointed in a loop ('" + symbol.Name + "', which the next iteration reads)", "index the array in the loop (h[i] += ...), or keep the index in an int variable and re-point nothing");
                break;
            case FunctionValue:
                NotYet(at, "A delegate local given another lambda in a loop ('" + symbol.Name + "', which the next iteration calls)", "call the lambdas directly and choose between them with if/else on the iteration (if (i == 0) s += F(x); else s += G(x);)");
                break;
            default:
                // IEnumerable<double> q = w; for (...) q = q.Select(f); — the loop carried numbers only, so after it (and
                // in its condition) q was the query from before the loop (red-team, stop 33: silently wrong).
                NotYet(at, "A query variable given another query in a loop ('" + symbol.Name + "', declared before it: a loop does not carry queries to its next iteration or past its end)",
                    "declare it inside the loop (var q = ...;) when each iteration makes its own, make it an array each iteration (double[] a = w.ToArray(); for (...) a = a.Select(v => ...).ToArray();), or write the loop over the elements");
                break;
        }
    }

    /// <summary>
    /// The start value of a loop variable (or a part of it: a tuple item, a struct field) that the loop re-binds to
    /// another value of a kind it cannot carry: a ref, a delegate, a lazy query, a list held as an array. Null when
    /// there is none.
    /// </summary>
    private static FValue? Rebound(FValue start, FValue end)
    {
        if (ReferenceEquals(start, end))
        {
            return null;
        }

        switch (start, end)
        {
            case (RefValue or FunctionValue or SequenceValue or ListValue, _):
                return SameValue(start, end) ? null : start;
            case (_, RefValue or FunctionValue or SequenceValue or ListValue):
                return end;
            case (StructValue s, StructValue e) when s.Values.Length == e.Values.Length:
                for (int i = 0; i < s.Values.Length; i++)
                {
                    if (Rebound(s.Values[i], e.Values[i]) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case (TupleValue s, TupleValue e) when s.Items.Length == e.Items.Length:
                for (int i = 0; i < s.Items.Length; i++)
                {
                    if (Rebound(s.Items[i], e.Items[i]) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case (NullableValue s, NullableValue e):
                return Rebound(s.Value, e.Value);
            case (TupleArrayValue s, TupleArrayValue e):
                return Rebound(s.Components, e.Components);
            default:
                return null;
        }
    }

    /// <summary>Records the end-of-body values of the loop variables made by <see cref="Carry"/>, in the same order.</summary>
    private void SetNexts(FValue start, FValue end, List<LoopVar> vars, ref int k)
    {
        switch (start)
        {
            case Scalar s when s.Operand is Var v && v.Mutable:
                var lv = vars[k++];
                if (!ReferenceEquals(lv.Var, v))
                {
                    throw new InvalidOperationException("loop variables out of order");
                }

                lv.Next = end is Scalar e ? e.Operand : v;
                if (!ReferenceEquals(lv.Next, v) && !lv.Next.Type.Equals(v.Type))
                {
                    lv.Next = CoerceLoopValue(lv.Next, v.Type);
                }

                break;
            case StructValue sv:
                var ev = end as StructValue;
                for (int i = 0; i < sv.Values.Length; i++)
                {
                    SetNexts(sv.Values[i], ev is not null && i < ev.Values.Length ? ev.Values[i] : sv.Values[i], vars, ref k);
                }

                break;
            case TupleValue tv:
                var et = end as TupleValue;
                for (int i = 0; i < tv.Items.Length; i++)
                {
                    SetNexts(tv.Items[i], et is not null && i < et.Items.Length ? et.Items[i] : tv.Items[i], vars, ref k);
                }

                break;
            case TupleArrayValue ta:
                SetNexts(ta.Components, (end as TupleArrayValue)?.Components ?? ta.Components, vars, ref k);
                break;
            case NullableValue nv:
                var en = end as NullableValue;
                SetNexts(new Scalar(nv.HasValue), en is null ? new Scalar(nv.HasValue) : new Scalar(en.HasValue), vars, ref k);
                SetNexts(nv.Value, en?.Value ?? nv.Value, vars, ref k);
                break;
        }
    }

    /// <summary>An array value carried by a loop as a different form (an array assigned to a span variable).</summary>
    private Operand CoerceLoopValue(Operand value, IrType type)
    {
        if (value.Type.IsArray && type.IsArray && MergeType(value.Type, type) is { } merged && merged.Equals(type))
        {
            return value;
        }

        return value;
    }

    private static FValue Resolve(FValue value, Dictionary<Var, Operand> pruned)
    {
        switch (value)
        {
            case Scalar { Operand: Var v } when pruned.TryGetValue(v, out var o):
                return new Scalar(o);
            case StructValue sv:
                return new StructValue(sv.Type, sv.Fields, sv.Values.Select(x => Resolve(x, pruned)).ToArray());
            case TupleValue tv:
                return new TupleValue(tv.Items.Select(x => Resolve(x, pruned)).ToArray());
            case TupleArrayValue ta:
                return new TupleArrayValue(Resolve(ta.Components, pruned));
            case NullableValue nv:
                var has = nv.HasValue is Var hv && pruned.TryGetValue(hv, out var h) ? h : nv.HasValue;
                return new NullableValue(has, Resolve(nv.Value, pruned));
            default:
                return value;
        }
    }

    /// <summary>
    /// A loop header may only compute its condition: no assignments, writes or calls with side effects. A throw (a
    /// helper's argument check) is fine: the gradient's forward sweep evaluates the header exactly as the method does.
    /// </summary>
    private void CheckHeader(Loop loop, Env envAtStart, IOperation at)
    {
        foreach (var (s, _) in IrWalk.All(loop.Header))
        {
            if (s is Store or Effect || (s is Assign { Value.Op: Opcode.Opaque or Opcode.Call or Opcode.Alloc } a && !a.Value.IsEffectFree))
            {
                NotYet(at, "A loop condition with side effects (a write or a call that changes something)", "compute it in the body and keep the condition a plain comparison");
                return;
            }
        }

        foreach (var key in envAtStart.Keys)
        {
            if (key is ISymbol && !SameValue(envAtStart.Get(key), _env.Get(key)))
            {
                NotYet(at, "Assigning a variable in a loop condition", "assign it in the body (or before the loop) and keep the condition a plain comparison");
                return;
            }
        }
    }

    /// <summary>The same operands in the same shape (a helper inlined in the condition may rebuild values without changing them).</summary>
    private static bool SameValue(FValue? a, FValue? b) => (a, b) switch
    {
        _ when ReferenceEquals(a, b) => true,
        (Scalar x, Scalar y) => ReferenceEquals(x.Operand, y.Operand) || SameConstant(x.Operand, y.Operand),
        (StructValue x, StructValue y) => x.Values.Length == y.Values.Length && x.Values.Zip(y.Values, SameValue).All(t => t),
        (TupleValue x, TupleValue y) => x.Items.Length == y.Items.Length && x.Items.Zip(y.Items, SameValue).All(t => t),
        (TupleArrayValue x, TupleArrayValue y) => SameValue(x.Components, y.Components),
        (NullableValue x, NullableValue y) => ReferenceEquals(x.HasValue, y.HasValue) && SameValue(x.Value, y.Value),
        (FunctionValue x, FunctionValue y) => SameFunction(x, y),
        (RefValue x, RefValue y) => SameRef(x, y),
        _ => false,
    };

    /// <summary>
    /// Computations of the header that do not change from one iteration to the next (x.Length, x.GetLength(0), n − 1)
    /// are done once, before the loop: the header is evaluated at least once, so this computes nothing new.
    /// </summary>
    private void HoistHeader(Loop loop)
    {
        var variant = new HashSet<Var>(loop.Vars.Select(v => v.Var));
        foreach (var (s, _) in IrWalk.All(loop.Body))
        {
            variant.UnionWith(IrWalk.Writes(s));
        }

        var hoisted = new List<Stmt>();
        foreach (var s in loop.Header.Stmts.ToList())
        {
            if (s is Assign a && a.Value.IsEffectFree && a.Value.Op is not (Opcode.Load or Opcode.Opaque or Opcode.Call or Opcode.Pop or Opcode.Alloc)
                && !a.Value.Args.Any(x => x is Var v && variant.Contains(v)) && !ReferenceEquals(a.Dst, loop.Cond))
            {
                loop.Header.Stmts.Remove(s);
                hoisted.Add(s);
            }
            else
            {
                variant.UnionWith(IrWalk.Writes(s));
            }
        }

        _block.Stmts.AddRange(hoisted);
    }

    /// <summary>
    /// A counted loop: an integer loop variable whose only update is i + c (or i − c), compared with a bound the loop
    /// does not change. Its reverse recomputes the index instead of storing it.
    /// </summary>
    private static Counted? DetectCounted(Loop loop)
    {
        if (loop.Cond is not Var cond)
        {
            return null;
        }

        var header = loop.Header.Stmts.OfType<Assign>().FirstOrDefault(a => ReferenceEquals(a.Dst, cond));
        if (header is null || header.Value.Op != Opcode.Cmp)
        {
            return null;
        }

        var defined = new HashSet<Var>();
        foreach (var (s, _) in IrWalk.All(loop.Header))
        {
            defined.UnionWith(IrWalk.Writes(s));
        }

        foreach (var (s, _) in IrWalk.All(loop.Body))
        {
            defined.UnionWith(IrWalk.Writes(s));
        }

        foreach (var lv in loop.Vars)
        {
            defined.Add(lv.Var);
        }

        var kind = header.Value.Cmp;
        var a0 = header.Value.Args[0];
        var a1 = header.Value.Args[1];
        foreach (var lv in loop.Vars)
        {
            if (!lv.Var.Type.IsInt || lv.Var.Type.CSharp != "int")
            {
                continue;
            }

            Operand bound;
            CmpKind cmp;
            if (ReferenceEquals(a0, lv.Var))
            {
                bound = a1;
                cmp = kind;
            }
            else if (ReferenceEquals(a1, lv.Var))
            {
                bound = a0;
                cmp = Flip(kind);
            }
            else
            {
                continue;
            }

            if (bound is Var bv && defined.Contains(bv))
            {
                continue;
            }

            if (!bound.Type.IsInt || bound.Type.CSharp != "int")
            {
                continue;
            }

            if (lv.Next is not Var next)
            {
                continue;
            }

            var step = loop.Body.Stmts.OfType<Assign>().FirstOrDefault(a => ReferenceEquals(a.Dst, next));
            if (step is null || step.Value.Op is not (Opcode.IAdd or Opcode.ISub) || !ReferenceEquals(step.Value.Args[0], lv.Var)
                || step.Value.Args[1] is not Lit l || !l.TryInt(out long c) || c == 0 || c > 1_000_000)
            {
                continue;
            }

            int stride = (int)(step.Value.Op == Opcode.IAdd ? c : -c);
            bool up = cmp is CmpKind.Lt or CmpKind.Le;
            bool down = cmp is CmpKind.Gt or CmpKind.Ge;
            if ((up && stride > 0) || (down && stride < 0))
            {
                return new Counted(lv.Var, stride, cmp, bound);
            }
        }

        return null;
    }

    /// <summary>
    /// A loop whose counter advances by a value it does not change (for (t = 0; t &lt; (c − 1) * b; t += b), ADBench's
    /// LSTM objective): counted by a fresh counter k from 0 to its trip count, computed before the loop, so that its
    /// reverse and the views it re-points are taken again from k as for a constant step. The counter t stays a loop
    /// variable with the same updates (t = t + b), so every value the body sees is the method's own. The trip count
    /// throws where the method's loop would not end as counted: a step of the wrong sign or zero (an endless loop) or a
    /// counter that passes the end of int; it is 0 when the condition is false at the start (no step is looked at).
    /// </summary>
    private Counted? CountByInvariantStep(Loop loop)
    {
        if (loop.Cond is not Var cond || loop.Header.Stmts.OfType<Assign>().FirstOrDefault(a => ReferenceEquals(a.Dst, cond)) is not { } header
            || header.Value.Op != Opcode.Cmp)
        {
            return null;
        }

        var defined = new HashSet<Var>();
        foreach (var (s, _) in IrWalk.All(loop.Header))
        {
            defined.UnionWith(IrWalk.Writes(s));
        }

        foreach (var (s, _) in IrWalk.All(loop.Body))
        {
            defined.UnionWith(IrWalk.Writes(s));
        }

        foreach (var lv in loop.Vars)
        {
            defined.Add(lv.Var);
        }

        bool Invariant(Operand o) => o is Lit || (o is Var v && !defined.Contains(v));
        bool PlainInt(Operand o) => o.Type.IsInt && o.Type.CSharp == "int";
        foreach (var lv in loop.Vars)
        {
            if (!PlainInt(lv.Var) || lv.Next is not Var next || !PlainInt(lv.Init))
            {
                continue;
            }

            Operand bound;
            CmpKind cmp;
            if (ReferenceEquals(header.Value.Args[0], lv.Var))
            {
                bound = header.Value.Args[1];
                cmp = header.Value.Cmp;
            }
            else if (ReferenceEquals(header.Value.Args[1], lv.Var))
            {
                bound = header.Value.Args[0];
                cmp = Flip(header.Value.Cmp);
            }
            else
            {
                continue;
            }

            if (cmp is not (CmpKind.Lt or CmpKind.Le or CmpKind.Gt or CmpKind.Ge) || !Invariant(bound) || !PlainInt(bound))
            {
                continue;
            }

            // The only write of the counter's next value: t + b, b + t or t − b, b not changed by the loop.
            var steps = loop.Body.Stmts.OfType<Assign>().Where(a => ReferenceEquals(a.Dst, next)).ToList();
            if (steps.Count != 1 || steps[0].Value is not { Op: Opcode.IAdd or Opcode.ISub } update)
            {
                continue;
            }

            Operand? step = null;
            bool negate = false;
            if (ReferenceEquals(update.Args[0], lv.Var) && Invariant(update.Args[1]) && PlainInt(update.Args[1]))
            {
                step = update.Args[1];
                negate = update.Op == Opcode.ISub;
            }
            else if (update.Op == Opcode.IAdd && ReferenceEquals(update.Args[1], lv.Var) && Invariant(update.Args[0]) && PlainInt(update.Args[0]))
            {
                step = update.Args[0];
            }

            if (step is null || IrWalk.All(loop.Body).Count(x => IrWalk.Writes(x.Stmt).Contains(next)) != 1)
            {
                continue;
            }

            // t − b adds 0 − b: the same int, wrapping as the method's does.
            var stride = negate ? Emit(Opcode.ISub, IrType.Int32, new[] { (Operand)Lit.Int(0), step }) : step;
            var trips = Emit(Opcode.Opaque, IrType.Int32, new[] { lv.Init, bound, stride }, new OpaqueInfo(new[]
            {
                "global::SymbolicGrad.Internal.LoopTrips.Stepped(",
                ", ",
                ", ",
                ", " + (cmp is CmpKind.Le or CmpKind.Ge ? "true" : "false") + ", " + (cmp is CmpKind.Lt or CmpKind.Le ? "true" : "false") + ")",
            }, pure: false, effectFree: true), hint: "trips");
            if (trips is Poison)
            {
                return null;
            }

            var counter = Ir.NewVar("k", IrType.Int32, VarRole.Local, mutable: true);
            var counterNext = Ir.NewVar("k", IrType.Int32, VarRole.Local);
            loop.Body.Stmts.Add(new Assign(counterNext, new Instr(Opcode.IAdd, IrType.Int32, new Operand[] { counter, Lit.Int(1) })));
            loop.Vars.Add(new LoopVar(counter, Lit.Int(0), counterNext));
            header.Value = new Instr(Opcode.Cmp, IrType.Bool, new Operand[] { counter, trips }, CmpKind.Lt, header.Value.Source);
            return new Counted(counter, 1, CmpKind.Lt, trips);
        }

        return null;
    }

    /// <summary>The loop's header (for (...), while (...), foreach (...), do), where an error about the whole loop points.</summary>
    private static DiagnosticInfo HeaderOf(SyntaxNode syntax)
    {
        var span = syntax switch
        {
            ForStatementSyntax f => TextSpan.FromBounds(f.ForKeyword.SpanStart, f.CloseParenToken.Span.End),
            WhileStatementSyntax w => TextSpan.FromBounds(w.WhileKeyword.SpanStart, w.CloseParenToken.Span.End),
            CommonForEachStatementSyntax e => TextSpan.FromBounds(e.ForEachKeyword.SpanStart, e.CloseParenToken.Span.End),
            DoStatementSyntax d => d.DoKeyword.Span,
            _ => syntax.Span,
        };
        var location = Location.Create(syntax.SyntaxTree, span);
        var lines = location.GetLineSpan();
        return new DiagnosticInfo(string.Empty, lines.Path ?? string.Empty, span, lines.Span, EquatableArray<string>.Empty);
    }

    private static CmpKind Flip(CmpKind k) => k switch
    {
        CmpKind.Lt => CmpKind.Gt,
        CmpKind.Le => CmpKind.Ge,
        CmpKind.Gt => CmpKind.Lt,
        CmpKind.Ge => CmpKind.Le,
        _ => k,
    };

    // ---------------------------------------------------------------------------------------------------------
    // foreach, and counted loops made by desugaring

    private Flow LowerForEach(IForEachLoopOperation fe, string source, bool needsFlags, bool returns)
    {
        var collection = fe.Collection is IConversionOperation { IsImplicit: true } conv ? conv.Operand : fe.Collection;
        ISymbol? variable = fe.LoopControlVariable switch
        {
            IVariableDeclaratorOperation d => d.Symbol,
            IVariableDeclarationGroupOperation g => g.Declarations.SelectMany(x => x.Declarators).FirstOrDefault()?.Symbol,
            _ => null,
        };

        // foreach (ref double v in span): v is another name for each element in turn (a write through it changes the
        // element), not a copy of it.
        int materializedBefore = _materialized;
        var sequence = variable is ILocalSymbol { RefKind: not RefKind.None } ? RefSequence(collection) : AsSequence(collection);
        if (sequence is null)
        {
            return Flow.Normal;
        }

        if ((sequence.HasFlatten || _materialized > materializedBefore) && ChangesQueryInputs(fe) is { } writer)
        {
            // The generated loop reads a query with SelectMany, Where, Skip, Take, Reverse, Index, Concat, Zip or OrderBy
            // through an array of its elements made before the loop, where C# runs the query one element per pass: a
            // body that changes what the query reads (k = 2 read by a lambda, c[1][0] += v of the source) gave a wrong
            // value and gradient (red-team P).
            NotYet(writer, "A foreach over a query (SelectMany, Where, Skip, Take, Reverse, Index, Concat, Zip or OrderBy) whose body changes what the query reads, or writes memory ('" + SourceText(writer.Syntax) + "')",
                "make the query's elements an array first (var items = query.ToArray(); foreach (var v in items) ...), as C# then reads them once, or write the loops");
            return Flow.Normal;
        }

        if (sequence.HasFlatten)
        {
            // foreach over a SelectMany: one loop over an array of its elements, so that a break leaves the whole
            // sequence rather than the loop over one inner sequence, and the body runs outside SelectMany's lambda.
            sequence = Materialized(sequence, collection, fe);
            if (sequence is null)
            {
                NotYet(fe, "A foreach over SelectMany of elements that are not numbers", "write the nested loops");
                return Flow.Normal;
            }
        }

        IOperation? deconstruction = fe.LoopControlVariable is IDeclarationExpressionOperation or ITupleOperation ? fe.LoopControlVariable : null;
        if (variable is null && deconstruction is null)
        {
            Unsupported(fe, "this foreach variable", "declare one variable: foreach (var x in ...)");
            return Flow.Normal;
        }

        return ForEachElement(sequence, source, needsFlags, returns, fe.ExitLabel, fe.ContinueLabel, fe, element =>
        {
            if (variable is not null)
            {
                Define(variable, element);
            }
            else
            {
                // An element of a data array or list (List<(double X, double Y)>) is taken apart as data.
                var elementType = collection.Type is { } ct ? Concrete(ct) is IArrayTypeSymbol { Rank: 1 } at ? at.ElementType : ListElement(Concrete(ct)) ?? EnumerableElement(Concrete(ct)) : null;
                AssignDeconstruction(deconstruction!, element, fe, elementType);
            }

            return LowerList(Statements(fe.Body), 0);
        });
    }

    /// <summary>The elements of a span as places, for foreach (ref var v in s) and foreach (ref readonly var v in s).</summary>
    private SequenceValue? RefSequence(IOperation collection)
    {
        while (collection is IConversionOperation { IsImplicit: true } c)
        {
            collection = c.Operand;
        }

        switch (LowerExpr(collection))
        {
            case Scalar { Operand: Poison }:
                return null;
            case Scalar { Operand: { Type.IsVector: true } array }:
                return new SequenceValue(() => Emit(Opcode.Length, IrType.Int32, new[] { array }), i => RefValue.ToElement(array, new[] { i }));
            default:
                NotYet(collection, "A ref foreach over this collection", "index the elements: for (int i = 0; i < s.Length; i++) s[i] = ...");
                return null;
        }
    }

    /// <summary>Runs <paramref name="body"/> for each element of a sequence (with its maps and filters applied).</summary>
    private Flow ForEachElement(SequenceValue sequence, string source, bool needsFlags, bool returns, ILabelSymbol? exit, ILabelSymbol? @continue, IOperation at, Func<FValue, Flow> body)
    {
        var length = sequence.Length();
        var (from, to) = SequenceBounds(sequence, length);
        var index = new SyntheticKey("i");
        Bind(index, new Scalar(from));
        return EmitLoop(
            source,
            needsFlags,
            returns,
            exit,
            @continue,
            () => Emit(Opcode.Cmp, IrType.Bool, new[] { ((Scalar)_env.Get(index)!).Operand, to }, CmpKind.Lt),
            () =>
            {
                var i = ((Scalar)_env.Get(index)!).Operand;
                return ApplyStages(sequence, i, Emit(Opcode.ISub, IrType.Int32, new[] { i, from }), body, at);
            },
            () =>
            {
                var i = ((Scalar)_env.Get(index)!).Operand;
                Bind(index, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { i, Lit.Int(1) })));
            },
            at);
    }

    /// <summary>The index range [from, to) a sequence with Skip/Take visits.</summary>
    private (Operand From, Operand To) SequenceBounds(SequenceValue sequence, Operand length)
    {
        Operand from = Lit.Int(0);
        Operand to = length;
        if (sequence.Skip is { } skip)
        {
            var clamped = Emit(Opcode.Opaque, IrType.Int32, new[] { skip, length }, new OpaqueInfo(new[] { "global::System.Math.Clamp(", ", 0, ", ")" }, pure: true, effectFree: true));
            from = clamped;
        }

        if (sequence.Take is { } take)
        {
            var end = Emit(Opcode.IAdd, IrType.Int32, new[] { from, Emit(Opcode.Opaque, IrType.Int32, new[] { take }, new OpaqueInfo(new[] { "global::System.Math.Max(", ", 0)" }, pure: true, effectFree: true)) });
            to = Emit(Opcode.Opaque, IrType.Int32, new[] { end, length }, new OpaqueInfo(new[] { "global::System.Math.Min(", ", ", ")" }, pure: true, effectFree: true));
        }

        return (from, to);
    }
}

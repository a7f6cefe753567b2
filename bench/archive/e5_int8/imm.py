import time, torch
print(torch.__version__, torch.backends.mkldnn.is_available(), torch.get_num_threads())
def bench(f, n=10):
    f(); t=time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter()-t)/n*1000
M=8000
for K,N in [(384,1152),(384,1536),(1536,384)]:
    x=torch.randn(M,K); w=torch.randn(N,K)
    xb=x.bfloat16(); wb=w.bfloat16()
    xi=torch.randint(-127,127,(M,K),dtype=torch.int8); wi=torch.randint(-127,127,(K,N),dtype=torch.int8)
    with torch.inference_mode():
        r={"fp32":bench(lambda: x@w.T),"bf16":bench(lambda: torch.nn.functional.linear(xb,wb))}
        try: r["int_mm"]=bench(lambda: torch._int_mm(xi,wi))
        except Exception as e: r["int_mm"]=str(e)[:80]
        def q():
            s = xb.abs().amax(-1,keepdim=True).float()/127
            xq = (xb.float()/s).round().to(torch.int8)
            return (torch._int_mm(xq,wi).float()*s).bfloat16()
        try: r["int8 full"]=bench(q)
        except Exception as e: r["int8 full"]=str(e)[:80]
    print(K,N,{k:(round(v,1) if isinstance(v,float) else v) for k,v in r.items()}, "GFLOP", 2*M*K*N/1e9)

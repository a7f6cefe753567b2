import time, torch
torch.manual_seed(0)
def bench(f, *a, n=5):
    f(*a); t=time.perf_counter()
    for _ in range(n): f(*a)
    return (time.perf_counter()-t)/n*1000
F=torch.nn.functional
for B,N in [(32,250),(64,100),(128,40)]:
  for dt in [torch.bfloat16, torch.float32]:
    q,k,v=[torch.randn(B,12,N,32,dtype=dt) for _ in range(3)]
    lengths = torch.randint(N//2,N+1,(B,)); lengths[0]=N
    mask = torch.arange(N)[None,:] < lengths[:,None]
    bias = ((~mask)[:,None,None,:].to(dt))*torch.finfo(dt).min
    boolm = mask[:,None,None,:]
    def sdpa_bias(): return F.scaled_dot_product_attention(q,k,v,attn_mask=bias)
    def sdpa_bool(): return F.scaled_dot_product_attention(q,k,v,attn_mask=boolm)
    def sdpa_none(): return F.scaled_dot_product_attention(q,k,v)
    def manual():
        s = (q @ k.transpose(-1,-2)) * (32**-0.5) + bias
        return s.softmax(-1) @ v
    def manual32():
        s = (q.float() @ k.float().transpose(-1,-2)) * (32**-0.5) + bias.float()
        return (s.softmax(-1) @ v.float()).to(dt)
    with torch.inference_mode():
        print(B,N,dt, {n: round(bench(f),1) for n,f in [("bias",sdpa_bias),("bool",sdpa_bool),("none",sdpa_none),("manual",manual),("manual32",manual32)]})

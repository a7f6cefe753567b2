import time, numpy as np, onnxruntime as ort
from onnx import helper, TensorProto, numpy_helper
H=384
def sess(nodes, inits):
    g=helper.make_graph(nodes,"g",[helper.make_tensor_value_info("x",TensorProto.FLOAT,[1,None,H]),helper.make_tensor_value_info("r",TensorProto.FLOAT,[1,None,H])],[helper.make_tensor_value_info("y",TensorProto.FLOAT,[1,None,H])],inits)
    m=helper.make_model(g,opset_imports=[helper.make_opsetid("",17),helper.make_opsetid("com.microsoft",1)])
    o=ort.SessionOptions(); o.intra_op_num_threads=1; o.graph_optimization_level=ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(m.SerializeToString(),o,providers=["CPUExecutionProvider"])
inits=[numpy_helper.from_array(np.ones(H,np.float32),"g"),numpy_helper.from_array(np.zeros(H,np.float32),"b"),numpy_helper.from_array(np.zeros(H,np.float32),"bias")]
a=sess([helper.make_node("SkipLayerNormalization",["x","r","g","b","bias"],["y"],domain="com.microsoft",epsilon=1e-12)],inits)
b=sess([helper.make_node("Add",["x","r"],["s"]),helper.make_node("LayerNormalization",["s","g","b"],["y"],epsilon=1e-12,axis=-1)],inits)
for N in (21,110):
    x=np.random.randn(1,N,H).astype(np.float32); r=np.random.randn(1,N,H).astype(np.float32)
    for name,s in (("skip",a),("add+ln",b)):
        for _ in range(50): s.run(None,{"x":x,"r":r})
        t=time.perf_counter()
        for _ in range(2000): s.run(None,{"x":x,"r":r})
        print(N,name,f"{(time.perf_counter()-t)/2000*1e6:.1f} us")
print(ort.__version__)

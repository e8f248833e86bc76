# A static file server that logs each file it sends (path, size): how bench/search_compare.sh
# sees what a browser downloaded.
import http.server, sys, os, functools
log = open(sys.argv[2], "a")
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass
    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isfile(path):
            log.write(self.path.split("?")[0] + "\t" + str(os.path.getsize(path)) + "\n"); log.flush()
        return super().send_head()
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[3])), functools.partial(H, directory=sys.argv[1])).serve_forever()

package com.contactlistbridge;
public final class Application { public static void main(String[] a) {} }
